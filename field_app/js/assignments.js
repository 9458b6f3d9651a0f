/**
 * The unit's active assignments as last read from the server, kept in localStorage so that the card is
 * still there after a reload with no signal. Refreshed on WebSocket messages, when the app comes to the
 * foreground, after each action the server answered, and every two minutes as a safety net.
 */

const KEY = 'sereno.field.assignments';
const SAFETY_NET_MS = 120000;

export function createAssignments({ api, enabled = () => true }) {
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY)) || {}; } catch { /* nothing kept */ }
  let list = saved.list || [];
  let readAt = saved.readAt || null;
  let error = null;
  let running = null;
  let again = false;
  let timer = null;
  const listeners = new Set();
  const emit = () => listeners.forEach((fn) => fn(list));

  async function read() {
    if (!enabled()) return; // signed out meanwhile
    try {
      list = (await api.get('/api/v1/field/assignments')) || [];
      readAt = Date.now();
      error = null;
      try { localStorage.setItem(KEY, JSON.stringify({ list, readAt })); } catch { /* quota: memory only */ }
    } catch (e) {
      error = e;
    }
    emit();
  }

  /** Concurrent calls share one request; a call during a request causes one more read after it. */
  function refresh() {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        do { again = false; await read(); } while (again);
      } finally {
        running = null;
        clearTimeout(timer);
        if (enabled()) timer = setTimeout(refresh, SAFETY_NET_MS);
      }
    })();
    return running;
  }

  return {
    get list() { return list; },
    get readAt() { return readAt; },
    get error() { return error; },
    find: (id) => list.find((a) => String(a.id) === String(id)) || null,
    refresh,
    /** The server's answer to an action: shown at once (if newer), so the card never falls back to the
     *  status read before the tap, even when the next read fails. */
    apply(read) {
      const index = list.findIndex((a) => String(a.id) === String(read.id));
      if (index < 0 || (list[index].version ?? 0) >= (read.version ?? 0)) return;
      list = list.map((a, i) => (i === index ? { ...a, ...read, incident: a.incident } : a));
      try { localStorage.setItem(KEY, JSON.stringify({ list, readAt })); } catch { /* quota: memory only */ }
      emit();
    },
    /** Forget everything (logout: the next officer on this phone must not see it). */
    clear() {
      clearTimeout(timer);
      list = [];
      readAt = null;
      try { localStorage.removeItem(KEY); } catch { /* nothing kept */ }
      emit();
    },
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
}
