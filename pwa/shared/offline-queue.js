/**
 * Outbox: records that must reach the server exactly once, over bad links and across restarts.
 *
 * Hand-written (Enketo's habits) rather than Workbox background sync: that replays stored raw Requests,
 * while a report is several requests (photo uploads, then the report) whose progress must be kept, and the
 * UI must know which record failed and why. The guarantees are the point, and they fit in one module:
 *
 * - each record is keyed by a client-generated id (crypto.randomUUID()); the sender uses it as the
 *   Idempotency-Key on every attempt, so a retry after a lost response is a replay, never a duplicate;
 * - records are sent one at a time, oldest first, one tab at a time (Web Locks);
 * - a record is deleted only after the server confirmed it and `onSent` kept the result;
 * - no network, timeouts, 408 and 5xx back off exponentially (capped at `maxDelayMs`); 429 waits for
 *   Retry-After; the `online` event, app start and the page becoming visible retry at once;
 * - 401 pauses the whole queue (retrying would only be refused again) until `resume()`;
 * - any other 4xx marks the record failed with the server's message; it waits for the user.
 *
 * The sender is `send(record, { save, progress })`: it may change `record.data` and `await save()` to keep
 * progress (e.g. finished photo uploads), and it throws errors carrying `status` (0 = no network) and, for
 * 429, `retryAfter` in seconds.
 *
 * One queue may carry several kinds of record (the citizen app: reports and participation requests), each
 * with its own sender: `kinds: { report: { send, onSent }, participation: { send, onSent } }` and
 * `add(data, { kind })`. They share the order, the back-off and the single sender at a time: the link is
 * the same whatever the record. A queue of one kind simply passes `send` and `onSent`.
 */
import { openDb, get, getAll, put, del } from './idb.js';

export const PENDING = 'pending';
export const FAILED = 'failed';
const STORE = 'records';
const SINGLE = 'default';

/** How an error from the sender is handled: 'transient' | 'rate' | 'auth' | 'permanent'. */
export function classify(error) {
  const status = error && error.status;
  if (!status || status === 408 || status >= 500) return 'transient';
  if (status === 429) return 'rate';
  if (status === 401) return 'auth';
  if (status >= 400) return 'permanent';
  return 'transient';
}

/** Exponential back-off with ±20% jitter, capped. `attempts` counts failures so far (≥ 1). */
export function backoffMs(attempts, baseMs, maxMs, random = Math.random) {
  const exp = baseMs * 2 ** Math.min(attempts - 1, 20);
  return Math.round(Math.min(maxMs, exp * (0.8 + 0.4 * random())));
}

export function createOutbox({
  dbName,
  send,
  onSent = async () => {},
  kinds = null,
  defaultKind = null, // the kind of records stored without one (written before the queue had kinds)
  baseDelayMs = 5000,
  maxDelayMs = 5 * 60 * 1000,
  now = () => Date.now(),
  isOnline = () => navigator.onLine,
}) {
  const listeners = new Set();
  let dbPromise = null;
  let running = null;
  let again = false;
  let timer = null;
  let holdUntil = 0; // after a transient failure the whole queue waits: the link is the problem
  let paused = false;

  const db = () => (dbPromise ||= openDb(dbName, 1, (d) => {
    d.createObjectStore(STORE, { keyPath: 'id' });
  }));
  const handlers = kinds || { [SINGLE]: { send, onSent } };
  const kindOf = (record) => (kinds ? record.kind ?? defaultKind : SINGLE);
  const emit = (event) => listeners.forEach((fn) => { try { fn(event); } catch (e) { console.error(e); } });

  async function list() {
    const records = await getAll(await db(), STORE);
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Store a new record (durably) and return its id; sending starts with the next `flush()`. */
  async function add(data, { kind = defaultKind, id = crypto.randomUUID() } = {}) {
    if (kinds && !handlers[kind]) throw new Error(`outbox: unknown kind ${kind}`);
    const record = { id, kind, data, createdAt: now(), state: PENDING, attempts: 0, nextAttemptAt: 0, error: null };
    await put(await db(), STORE, record);
    emit({ type: 'added', id });
    return id;
  }

  async function retry(id) {
    const record = await get(await db(), STORE, id);
    if (!record) return;
    Object.assign(record, { state: PENDING, attempts: 0, nextAttemptAt: 0, error: null });
    await put(await db(), STORE, record);
    holdUntil = 0;
    emit({ type: 'changed', id });
    return flush();
  }

  async function discard(id) {
    await del(await db(), STORE, id);
    emit({ type: 'discarded', id });
  }

  async function attempt(record) {
    const d = await db();
    const save = () => put(d, STORE, record);
    const kind = kindOf(record);
    try {
      const handler = handlers[kind];
      // A record this version of the app cannot send waits for the user instead of blocking the queue.
      if (!handler) throw Object.assign(new Error(`unknown kind ${kind}`), { status: 400, code: 'unknown_kind' });
      const progress = (info) => emit({ type: 'progress', id: record.id, kind, ...info });
      const result = await handler.send(record, { save, progress });
      // Kept elsewhere first: a crash between the two lines means a replay, never a loss.
      if (handler.onSent) await handler.onSent(record, result);
      await del(d, STORE, record.id);
      emit({ type: 'sent', id: record.id, kind, result });
      return true;
    } catch (error) {
      const outcome = classify(error);
      const info = { status: error.status || 0, code: error.code || 'network', detail: error.detail || error.message || '' };
      record.attempts += 1;
      record.error = info;
      if (outcome === 'permanent') {
        record.state = FAILED;
      } else if (outcome === 'auth') {
        paused = true;
      } else {
        const wait = outcome === 'rate' && error.retryAfter != null
          ? error.retryAfter * 1000
          : backoffMs(record.attempts, baseDelayMs, maxDelayMs);
        record.nextAttemptAt = now() + wait;
        holdUntil = record.nextAttemptAt;
      }
      await put(d, STORE, record);
      const type = outcome === 'permanent' ? 'failed' : outcome === 'auth' ? 'paused' : 'retrying';
      emit({ type, id: record.id, kind, error: info, nextAttemptAt: record.nextAttemptAt });
      return false;
    }
  }

  async function drain() {
    for (;;) {
      if (paused || !isOnline() || now() < holdUntil) return;
      const due = (await list()).filter((r) => r.state === PENDING && r.nextAttemptAt <= now());
      if (!due.length) return;
      if (!(await attempt(due[0]))) return;
    }
  }

  async function schedule() {
    clearTimeout(timer);
    if (paused || !isOnline()) return; // offline: the `online` event wakes the queue
    const pending = (await list()).filter((r) => r.state === PENDING);
    if (!pending.length) return;
    const next = Math.max(holdUntil, Math.min(...pending.map((r) => r.nextAttemptAt)));
    timer = setTimeout(flush, Math.max(2000, next - now()));
  }

  /** Send what is due. Concurrent calls share one run; with Web Locks, only one tab sends at a time. */
  function flush() {
    if (running) { again = true; return running; }
    const once = () => (navigator.locks
      ? navigator.locks.request(`outbox:${dbName}`, { ifAvailable: true }, (lock) => lock && drain())
      : drain());
    running = (async () => {
      try {
        do { again = false; await once(); } while (again);
      } catch (error) {
        console.error('outbox', error);
      } finally {
        running = null;
        schedule().catch(() => {});
      }
    })();
    return running;
  }

  /** The connection came back: what waited for the network is due now. */
  async function wake() {
    holdUntil = 0;
    const d = await db();
    for (const record of await list()) {
      if (record.state === PENDING && record.nextAttemptAt > now() && record.error?.status !== 429) {
        record.nextAttemptAt = 0;
        await put(d, STORE, record);
      }
    }
    return flush();
  }

  const onOnline = () => wake();
  const onVisible = () => { if (document.visibilityState === 'visible') flush(); };

  return {
    add, list, retry, discard, flush, wake,
    get: async (id) => get(await db(), STORE, id),
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    /** Start retrying: now (app start), on `online`, and when the app comes back to the foreground. */
    start() {
      addEventListener('online', onOnline);
      document.addEventListener('visibilitychange', onVisible);
      return flush();
    },
    stop() {
      removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisible);
      clearTimeout(timer);
    },
    /** After a 401 the queue waits for this (e.g. once the user signed in again). */
    resume() { paused = false; holdUntil = 0; return flush(); },
    get paused() { return paused; },
  };
}
