/**
 * The officer's session: tokens kept in localStorage (they must survive a reload with no signal), the
 * access token refreshed a minute before it expires and, once, when the server answers 401.
 *
 * The API client of the rest of the app asks `headers()` before every request and `onUnauthorized()`
 * after a 401; login and refresh themselves go through a plain client, so a refused refresh never loops.
 */

const KEY = 'sereno.field.session';
const EARLY_MS = 60000; // refresh this long before the access token expires

function load() {
  try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch { return null; }
}

export function createSession({ publicApi, now = () => Date.now() }) {
  let state = load(); // {access, refresh, expiresAt, user}
  let refreshing = null;
  let timer = null;
  const listeners = new Set();
  const emit = (reason) => listeners.forEach((fn) => fn(reason));

  function keep(pair) {
    state = {
      access: pair.access_token,
      refresh: pair.refresh_token || state?.refresh,
      expiresAt: now() + pair.expires_in * 1000,
      user: pair.user,
    };
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch { /* private mode: this visit only */ }
    schedule();
  }

  function forget(reason) {
    clearTimeout(timer);
    state = null;
    try { localStorage.removeItem(KEY); } catch { /* nothing kept */ }
    emit(reason);
  }

  function schedule() {
    clearTimeout(timer);
    if (!state) return;
    timer = setTimeout(() => refresh(), Math.max(5000, state.expiresAt - now() - EARLY_MS));
  }

  /** Resolves true when a new access token was obtained. A refused refresh token ends the session. */
  function refresh() {
    if (!state) return Promise.resolve(false);
    refreshing ||= (async () => {
      try {
        const { data } = await publicApi.post('/api/v1/auth/refresh', { refresh_token: state.refresh });
        keep(data);
        emit('refreshed');
        return true;
      } catch (error) {
        if (error.status === 401 || error.status === 403) forget('expired');
        else schedule(); // no signal: the timer tries again, the old token may still be good
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  /** Refresh first when the token is about to expire (the phone slept through the timer). */
  async function fresh() {
    if (state && state.expiresAt - now() < EARLY_MS / 2) await refresh();
    return state?.access || null;
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') fresh();
  });
  schedule();

  return {
    get user() { return state?.user || null; },
    get token() { return state?.access || null; },
    get active() { return Boolean(state); },
    fresh,
    refresh,
    async login(username, password) {
      const { data } = await publicApi.post('/api/v1/auth/login', { username, password });
      keep(data);
      emit('login');
      return data.user;
    },
    /** Ends the session on the server (best effort: offline, the tokens are dropped here anyway). */
    async logout(api) {
      try { await api.post('/api/v1/auth/logout', undefined, { timeout: 5000 }); } catch { /* offline */ }
      forget('logout');
    },
    /** Headers for every API request of the staff client. */
    async headers() {
      const token = await fresh();
      const headers = {};
      if (token) headers.Authorization = `Bearer ${token}`;
      if (state?.user?.tenant) headers['X-Sereno-Tenant'] = state.user.tenant;
      return headers;
    },
    onUnauthorized: () => refresh(),
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
}
