/**
 * Sereno API client for the browser: JSON requests with the user's language, errors as `ApiError`, and
 * the three-step photo upload (slot, bytes, complete) with resumable progress.
 *
 * Errors follow the API contract `{"status_code", "error", "detail"}`; `status` 0 means the request never
 * got an answer (no network, DNS, timeout), which the outbox treats as "try again later".
 */

export class ApiError extends Error {
  constructor({ status = 0, code = 'network', detail = '', retryAfter = null } = {}) {
    super(detail || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

/** Retry-After is either seconds or an HTTP date; returns seconds or null. */
export function parseRetryAfter(value, now = Date.now()) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

async function errorFrom(response) {
  let body = {};
  try { body = await response.json(); } catch { /* storage services answer in XML or nothing */ }
  return new ApiError({
    status: response.status,
    code: body.error || `http_${response.status}`,
    detail: body.detail || '',
    retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
  });
}

/** A photo upload that failed at the storage or was forgotten by the server starts over, at most this often. */
const MAX_UPLOAD_RESTARTS = 3;

/**
 * `headers()` adds headers to every API request (e.g. the staff app's `Authorization`); `onUnauthorized()`
 * is called once when an API request answers 401 and resolves true when the request should be repeated
 * (the session was refreshed). The citizen app uses neither.
 */
export function createApiClient({
  base = '',
  lang = () => 'es',
  timeoutMs = 30000,
  uploadTimeoutMs = 180000,
  headers: extraHeaders = () => ({}),
  onUnauthorized = null,
} = {}) {
  /** fetch with a timeout; network failures become ApiError(status 0). */
  async function rawFetch(url, init, timeout = timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    try {
      return await fetch(url, { ...init, signal: controller.signal });
    } catch (error) {
      const timedOut = error.name === 'AbortError';
      throw new ApiError({ code: timedOut ? 'timeout' : 'network', detail: error.message });
    } finally {
      clearTimeout(timer);
    }
  }

  async function request(method, path, { body, headers = {}, timeout, retried = false } = {}) {
    const common = { Accept: 'application/json', 'Accept-Language': lang(), ...(await extraHeaders()) };
    const init = { method, headers: { ...common, ...headers } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await rawFetch(base + path, init, timeout);
    if (response.status === 401 && onUnauthorized && !retried && (await onUnauthorized())) {
      return request(method, path, { body, headers, timeout, retried: true });
    }
    if (!response.ok) throw await errorFrom(response);
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    return { status: response.status, data };
  }

  /** Send the bytes where the server said: a presigned PUT, or a form POST (fields first, file last). */
  async function sendBytes(upload, blob) {
    let init;
    if (upload.method === 'PUT') {
      init = { method: 'PUT', headers: upload.headers || {}, body: blob };
    } else {
      const form = new FormData();
      for (const [key, value] of Object.entries(upload.fields || {})) form.append(key, value);
      form.append('file', blob, 'photo.jpg');
      init = { method: 'POST', headers: upload.headers || {}, body: form };
    }
    const response = await rawFetch(new URL(upload.url, location.href).href, init, uploadTimeoutMs);
    if (!response.ok) throw await errorFrom(response);
  }

  /**
   * Upload one file; `state` is the caller's persisted progress ({id, upload, expiresAt, sent, ready}),
   * updated in place and kept with `save()` after each step, so a retry continues where it stopped.
   * Resolves with the upload id once the server says it is ready.
   */
  async function uploadFile(blob, state, save = async () => {}) {
    if (state.ready) return state.id;
    const restart = async (error) => {
      state.restarts = (state.restarts || 0) + 1;
      if (state.restarts > MAX_UPLOAD_RESTARTS) throw error;
      Object.assign(state, { id: null, upload: null, expiresAt: null, sent: false });
      await save();
      throw new ApiError({ status: 503, code: 'upload_restart', detail: error.detail });
    };
    const expired = state.expiresAt && Date.parse(state.expiresAt) - 60000 < Date.now();
    if (!state.id || (!state.sent && expired)) {
      const { data } = await request('POST', '/api/v1/uploads', {
        body: { content_type: blob.type || 'image/jpeg', size_bytes: blob.size },
      });
      Object.assign(state, { id: data.id, upload: data.upload, expiresAt: data.expires_at, sent: false });
      await save();
    }
    if (!state.sent) {
      try {
        await sendBytes(state.upload, blob);
      } catch (error) {
        // The storage refused the signed request (expired, size mismatch): ask for a new slot.
        if (error.status >= 400 && error.status < 500 && ![408, 429].includes(error.status)) await restart(error);
        throw error;
      }
      state.sent = true;
      await save();
    }
    try {
      await request('POST', `/api/v1/uploads/${encodeURIComponent(state.id)}/complete`);
    } catch (error) {
      if (error.status === 404 || error.status === 409) await restart(error); // slot forgotten or bytes missing
      throw error;
    }
    state.ready = true;
    await save();
    return state.id;
  }

  return {
    request,
    get: (path, options) => request('GET', path, options).then((r) => r.data),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    uploadFile,
  };
}
