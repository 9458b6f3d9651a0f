/**
 * The staff session: login, the bearer token on every request, refresh shortly before expiry and once
 * after a 401, logout.
 *
 * Tokens live in sessionStorage: a reload in the middle of a shift keeps the console signed in, closing
 * the tab ends it, and nothing outlives the browser session on a shared command-center desk.
 */
import { ApiError } from '/shared/api-client.js';

const STORAGE_KEY = 'sereno.console.session';
const RETRY_REFRESH_MS = 15000;

function loadSaved() {
  try { return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || null; } catch { return null; }
}

/**
 * `api` is the shared client (`createApiClient`); `onExpired()` is called when the session cannot be
 * renewed (refresh token refused) so the app can go back to the login screen.
 */
export function createSession(api, { onExpired = () => {} } = {}) {
  let state = loadSaved(); // {access, refresh, expiresAt, ttl, user}
  let timer = null;
  let refreshing = null;

  function persist() {
    try {
      if (state) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch { /* storage disabled: the session lasts until reload */ }
  }

  function accept(tokens) {
    const ttl = Math.max(30, Number(tokens.expires_in) || 900);
    state = {
      access: tokens.access_token,
      refresh: tokens.refresh_token || state?.refresh,
      expiresAt: Date.now() + ttl * 1000,
      ttl,
      user: tokens.user || state?.user,
    };
    persist();
    schedule();
  }

  /** Renew when 80 % of the token's life has gone (at most one minute before it ends). */
  function schedule(delay) {
    clearTimeout(timer);
    if (!state) return;
    const margin = Math.min(60, state.ttl * 0.2) * 1000;
    const wait = delay ?? Math.max(1000, state.expiresAt - Date.now() - margin);
    timer = setTimeout(() => refresh().catch(() => {}), wait);
  }

  function clear() {
    clearTimeout(timer);
    state = null;
    persist();
  }

  function expire() {
    const had = Boolean(state);
    clear();
    if (had) onExpired();
  }

  /** One refresh at a time; a refused refresh token ends the session, a network failure retries soon. */
  function refresh() {
    if (!state?.refresh) return Promise.reject(new ApiError({ status: 401, code: 'unauthorized' }));
    refreshing ||= api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: state.refresh } })
      .then(({ data }) => { accept(data); return state.access; })
      .catch((error) => {
        if (error.status === 401 || error.status === 403) expire();
        else schedule(RETRY_REFRESH_MS);
        throw error;
      })
      .finally(() => { refreshing = null; });
    return refreshing;
  }

  async function request(method, path, options = {}) {
    if (!state) throw new ApiError({ status: 401, code: 'unauthorized' });
    const send = () => api.request(method, path, {
      ...options,
      headers: { ...options.headers, Authorization: `Bearer ${state.access}` },
    });
    try {
      return await send();
    } catch (error) {
      if (error.status !== 401) throw error;
      await refresh(); // once: a second 401 goes to the caller
      if (!state) throw error;
      return send();
    }
  }

  async function login(username, password) {
    const { data } = await api.request('POST', '/api/v1/auth/login', { body: { username, password } });
    accept(data);
    return state.user;
  }

  /** After a reload: renew an expired token and check the account still exists. */
  async function restore() {
    if (!state) return null;
    try {
      if (state.expiresAt - Date.now() < 5000) await refresh();
      else schedule();
      const { data } = await request('GET', '/api/v1/auth/me');
      state.user = data;
      persist();
      return data;
    } catch (error) {
      if (error.status === 401 || error.status === 403) { clear(); return null; }
      return state?.user || null; // server unreachable: keep the shift, the live link will retry
    }
  }

  async function logout() {
    try { if (state) await request('POST', '/api/v1/auth/logout'); } catch { /* the tokens go anyway */ }
    clear();
  }

  return {
    login,
    logout,
    restore,
    refresh,
    request,
    get: (path, options) => request('GET', path, options).then((r) => r.data),
    post: (path, body, options) => request('POST', path, { ...options, body }).then((r) => r.data),
    get user() { return state?.user || null; },
    get token() { return state?.access || null; },
    /** Seconds until the access token ends (for the live link deciding whether to renew first). */
    get expiresIn() { return state ? (state.expiresAt - Date.now()) / 1000 : 0; },
  };
}
