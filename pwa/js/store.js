/**
 * What the phone remembers besides the outbox: the citizen's sent reports and participation requests with
 * their tracking tokens (IndexedDB, the token is the only key to their status) and the last tenant,
 * category and topic answers (localStorage, so the app works offline even before the service worker took
 * control).
 */
import { openDb, get, getAll, put, del } from '/shared/idb.js';

const REPORTS = 'reports';
const REQUESTS = 'requests';
let dbPromise = null;
const db = () => (dbPromise ||= openDb('sereno-pwa', 2, (d, oldVersion) => {
  if (oldVersion < 1) d.createObjectStore(REPORTS, { keyPath: 'code' });
  if (oldVersion < 2) d.createObjectStore(REQUESTS, { keyPath: 'code' });
}));

/** Save by code, merged into what is already known (a refresh never drops the token). */
async function merge(store, item) {
  const existing = await get(await db(), store, item.code);
  await put(await db(), store, { ...existing, ...item });
}

async function newestFirst(store, dateKey) {
  const items = await getAll(await db(), store);
  return items.sort((a, b) => String(b[dateKey]).localeCompare(String(a[dateKey])));
}

/** A sent report: {code, token, category, categoryName, reportedAt, status, statusLabel, detail, fetchedAt}. */
export const saveReport = (report) => merge(REPORTS, report);
export const getReport = async (code) => get(await db(), REPORTS, code);
export const removeReport = async (code) => del(await db(), REPORTS, code);
export const listReports = () => newestFirst(REPORTS, 'reportedAt');

/**
 * A sent participation request: {code, token, kind, topicName, departmentName, receivedAt, dueAt, status,
 * statusLabel, detail, fetchedAt}.
 */
export const saveRequest = (request) => merge(REQUESTS, request);
export const getRequest = async (code) => get(await db(), REQUESTS, code);
export const removeRequest = async (code) => del(await db(), REQUESTS, code);
export const listRequests = () => newestFirst(REQUESTS, 'receivedAt');

const cacheKey = (path, lang) => `sereno.cache.${lang}.${path}`;

/** GET with the last good answer as fallback; resolves to `{data, fresh}` or throws if neither exists. */
export async function cachedGet(api, path, lang) {
  try {
    const data = await api.get(path, { timeout: 8000 });
    try { localStorage.setItem(cacheKey(path, lang), JSON.stringify(data)); } catch { /* quota: fine */ }
    return { data, fresh: true };
  } catch (error) {
    const saved = localStorage.getItem(cacheKey(path, lang));
    if (saved) return { data: JSON.parse(saved), fresh: false };
    // Categories (or topics) in another language are better than none.
    for (const other of ['es', 'en']) {
      const fallback = localStorage.getItem(cacheKey(path, other));
      if (fallback) return { data: JSON.parse(fallback), fresh: false };
    }
    throw error;
  }
}

/** Ask the browser not to evict our storage: the outbox holds reports not yet sent. */
export function persistStorage() {
  if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
}
