/**
 * The page's filters as one plain object, and the addresses built from it: the API requests, the download
 * links (plain `<a href>`, so the tenant and the language travel in the query string, not in headers) and
 * the page's own address (so a filtered view can be shared).
 *
 * Filters: `{categories: [codes], district: code|'', from: 'YYYY-MM-DD'|'', to: 'YYYY-MM-DD'|''}`.
 */

export const EMPTY_FILTERS = Object.freeze({ categories: [], district: '', from: '', to: '' });

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Filters read from a query string (the page's address); anything malformed is dropped. */
export function filtersFrom(search) {
  const params = new URLSearchParams(search);
  const list = (name) => (params.get(name) || '').split(',').map((s) => s.trim()).filter(Boolean);
  const date = (name) => (DATE.test(params.get(name) || '') ? params.get(name) : '');
  return { categories: list('category'), district: list('district')[0] || '', from: date('from'), to: date('to') };
}

/** The API's filter parameters (docs/public-api.md), in a stable order. */
export function filterParams(filters) {
  const params = new URLSearchParams();
  if (filters.categories.length) params.set('category', filters.categories.join(','));
  if (filters.district) params.set('district', filters.district);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  return params;
}

/**
 * An API address for `path` with the tenant, the filters and the language in the query string. The language
 * is there (and not only in Accept-Language) because public answers are cacheable for a minute: a URL per
 * language keeps a cached Spanish answer from being shown after switching to English.
 */
export function apiUrl(path, { tenant, lang, filters = EMPTY_FILTERS, extra = {} }) {
  const params = new URLSearchParams();
  if (tenant) params.set('tenant', tenant);
  for (const [key, value] of filterParams(filters)) params.set(key, value);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  if (lang) params.set('lang', lang);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** The page's address for these filters (keeps `tenant` and `lang` if the visitor came with them). */
export function pageUrl(filters, search) {
  const current = new URLSearchParams(search);
  const params = filterParams(filters);
  for (const keep of ['tenant', 'lang']) if (current.get(keep)) params.set(keep, current.get(keep));
  const query = params.toString();
  return `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
}

export const sameFilters = (a, b) => filterParams(a).toString() === filterParams(b).toString();
