/**
 * What the phone remembers besides the outbox: the citizen's sent reports with their tracking tokens
 * (IndexedDB, the token is the only key to a report's status) and the last tenant and category answers
 * (localStorage, so the app works offline even before the service worker took control).
 */
import { openDb, get, getAll, put, del } from '/shared/idb.js';

const STORE = 'reports';
let dbPromise = null;
const db = () => (dbPromise ||= openDb('sereno-pwa', 1, (d) => {
  d.createObjectStore(STORE, { keyPath: 'code' });
}));

/** A sent report: {code, token, category, categoryName, reportedAt, status, statusLabel, detail, fetchedAt}. */
export async function saveReport(report) {
  const existing = await get(await db(), STORE, report.code);
  await put(await db(), STORE, { ...existing, ...report });
}

export const getReport = async (code) => get(await db(), STORE, code);
export const removeReport = async (code) => del(await db(), STORE, code);

export async function listReports() {
  const reports = await getAll(await db(), STORE);
  return reports.sort((a, b) => String(b.reportedAt).localeCompare(String(a.reportedAt)));
}

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
    // Categories in another language are better than none.
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
