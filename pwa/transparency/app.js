/**
 * Sereno public transparency page (no login): what was reported and what was done, from the public
 * projection only (docs/public-api.md). Start-up, filters → data → map, KPIs, charts and download links.
 *
 * The tenant is the server's default, or `?tenant=<slug>` in the page's address. Filters live in the
 * address too (`?category=a,b&district=S03&from=…&to=…`), so a filtered view can be shared.
 * `<main data-state>` is `loading` while a request is out and `ready` once everything shown matches the
 * filters (browser tests wait on it).
 */
import { createI18n } from '/shared/i18n.js';
import { createApiClient } from '/shared/api-client.js';
import { announce } from '/app/js/dom.js';
import { createFormat } from './js/format.js';
import { createFilters } from './js/filters.js';
import { renderKpis, renderAbout } from './js/summary.js';
import { BREAKDOWNS, renderCharts } from './js/charts.js';
import { createPublicMap } from './js/public-map.js';
import { EMPTY_FILTERS, apiUrl, filtersFrom, pageUrl } from './js/query.js';

const PUBLICATION_DELAY_H = 48; // the documented default; the API does not say (yet)
const DEFAULT_PRECISION_M = 250;

const i18n = createI18n({
  loaders: { es: () => import('./i18n/es.js'), en: () => import('./i18n/en.js') },
  fallback: 'es',
  locales: { es: 'es-PE', en: 'en' },
});
const tenantSlug = new URLSearchParams(location.search).get('tenant')?.trim().toLowerCase() || '';
const api = createApiClient({
  lang: () => i18n.lang,
  headers: () => (tenantSlug ? { 'X-Sereno-Tenant': tenantSlug } : {}),
});

const $ = (id) => document.getElementById(id);
const main = $('main');
const ctx = {
  t: (key, params) => i18n.t(key, params),
  format: createFormat(i18n),
  tenant: null,
  categories: [],
  districts: [], // [{key, name}] from the unfiltered statistics
  filters: { ...EMPTY_FILTERS, ...filtersFrom(location.search) },
  stats: null,
  features: [],
  precisionM: DEFAULT_PRECISION_M, // the grid cell, for the privacy text
  precisionText: String(DEFAULT_PRECISION_M), // what points on the map may be off by, e.g. "250–1000"
};
let publicMap = null;
let destroyCharts = () => {};
let generation = 0; // answers to an older filter set are dropped

const url = (path, filters = ctx.filters) =>
  apiUrl(path, { tenant: ctx.tenant?.slug || tenantSlug, lang: i18n.lang, filters });

const filters = createFilters($('filters'), {
  onChange(next) {
    ctx.filters = next;
    history.replaceState(null, '', pageUrl(next, location.search));
    refresh({ announceDone: true });
  },
});

/** Tenant, categories and the district list (all in the current language). */
async function loadConfig() {
  // The tenant's slug in the query as well: the tenant endpoint's answer is cached per address.
  const [tenant, categories, all] = await Promise.all([
    api.get(tenantSlug ? `/api/v1/tenant?tenant=${encodeURIComponent(tenantSlug)}` : '/api/v1/tenant'),
    api.get('/api/v1/categories'),
    api.get(apiUrl('/api/v1/public/stats', { tenant: tenantSlug, lang: i18n.lang })),
  ]);
  ctx.tenant = tenant;
  ctx.categories = categories;
  ctx.districts = (all.by_district || []).filter((d) => d.key);
  ctx.k = all.k;
  $('city-name').textContent = tenant.name;
}

function showStatic() {
  const { t } = ctx;
  document.title = t('doc.title', { city: ctx.tenant?.name || 'Sereno' });
  $('lead').textContent = t('page.lead', { h: PUBLICATION_DELAY_H });
  renderAbout($('about'), ctx, { h: PUBLICATION_DELAY_H, m: ctx.precisionM, k: ctx.stats?.k ?? ctx.k ?? 3 });
  const feed = url('/api/v1/public/incidents.atom', EMPTY_FILTERS);
  const feedLink = $('feed-link');
  feedLink.href = feed;
  feedLink.title = t('download.atomTitle', { city: ctx.tenant?.name || 'Sereno' });
}

function showDownloads() {
  $('download-csv').href = url('/api/v1/public/incidents.csv');
  $('download-geojson').href = url('/api/v1/public/incidents.geojson');
  $('download-atom').href = url('/api/v1/public/incidents.atom');
}

/** Points stand for a cell (250 m by default) or a coarse cell (1 km): say which, from the data. */
function setPrecision(features) {
  const sizes = features.map((f) => f.properties?.precision_m).filter((m) => m > 0);
  if (!sizes.length) {
    ctx.precisionText = ctx.format.number(ctx.precisionM);
    return;
  }
  const [low, high] = [Math.min(...sizes), Math.max(...sizes)];
  ctx.precisionM = low;
  ctx.precisionText = low === high ? ctx.format.number(low) : `${ctx.format.number(low)}–${ctx.format.number(high)}`;
}

function showMapNotes() {
  const { t, format } = ctx;
  const located = ctx.features.filter((f) => f.geometry).length;
  const districtOnly = ctx.features.length - located;
  const count = $('map-count');
  count.textContent = t('map.count', { n: format.number(located) });
  count.dataset.count = String(located);
  const only = $('map-district-only');
  only.textContent = districtOnly ? t('map.districtOnly', { n: format.number(districtOnly) }) : '';
  only.dataset.count = String(districtOnly);
  $('map-approx').textContent = t('map.approx', { m: ctx.precisionText });
}

function showStats() {
  const { stats, t } = ctx;
  renderKpis($('kpis'), ctx, stats);
  destroyCharts();
  destroyCharts = renderCharts($('charts'), ctx, stats);
  const k = stats.k ?? 3;
  const suppressed = BREAKDOWNS.some(({ key }) => (stats[key] || []).some((row) => row.count == null));
  $('suppressed-note').textContent = suppressed ? t('charts.suppressedNote', { k, max: k - 1 }) : '';
  const updated = stats.generated_at ? t('page.updated', { when: ctx.format.dateTime(stats.generated_at) }) : '';
  $('status').textContent = updated;
}

async function ensureMap() {
  if (publicMap || !window.L?.markerClusterGroup) return publicMap;
  publicMap = createPublicMap(window.L, $('map'), {
    center: ctx.tenant.center,
    area: ctx.tenant.service_area,
    ctx,
    onTilesFailed: () => { $('map-error').textContent = ctx.t('map.noTiles'); },
  });
  $('heat-toggle').addEventListener('change', (event) => publicMap.setHeat(event.target.checked));
  return publicMap;
}

/** Statistics and map items for the current filters; the download links follow at once. */
async function refresh({ announceDone = false } = {}) {
  const mine = ++generation;
  main.dataset.state = 'loading';
  main.setAttribute('aria-busy', 'true');
  showDownloads();
  $('page-error').textContent = '';
  try {
    const [stats, collection] = await Promise.all([
      api.get(url('/api/v1/public/stats')),
      api.get(url('/api/v1/public/incidents.geojson')),
    ]);
    if (mine !== generation) return;
    ctx.stats = stats;
    ctx.features = collection.features || [];
    setPrecision(ctx.features);
    showStats();
    showMapNotes();
    showStatic();
    const map = await ensureMap();
    if (map) map.show(ctx.features);
    else $('map-error').textContent = ctx.t('map.unavailable');
    if (announceDone) announce(ctx.t('page.loaded', { n: ctx.format.number(stats.total) }));
    main.dataset.state = 'ready';
  } catch (error) {
    if (mine !== generation) return;
    console.error(error);
    const detail = error.status === 400 ? error.detail || error.message : '';
    $('page-error').textContent = detail ? ctx.t('page.badFilter', { detail }) : ctx.t('page.error');
    main.dataset.state = 'error';
  } finally {
    if (mine === generation) main.removeAttribute('aria-busy');
  }
}

function setupLanguageSwitch() {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', async () => {
      if (button.dataset.lang === i18n.lang) return;
      main.dataset.state = 'loading';
      await i18n.setLang(button.dataset.lang);
      await start({ again: true });
    });
  }
  i18n.onChange((lang) => {
    for (const button of document.querySelectorAll('[data-lang]')) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    }
  });
}

/** The visitor's language: `?lang=`, else their earlier choice, else the browser's (Spanish unless English). */
function firstLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  let saved = null;
  try { saved = localStorage.getItem('sereno.lang'); } catch { /* private mode */ }
  const browser = (navigator.language || 'es').toLowerCase().startsWith('en') ? 'en' : 'es';
  return [asked, saved, browser].find((lang) => lang === 'es' || lang === 'en');
}

async function start({ again = false } = {}) {
  main.dataset.state = 'loading';
  try {
    await loadConfig();
  } catch {
    $('page-error').textContent = ctx.t('page.error');
    main.dataset.state = 'error';
    return;
  }
  showStatic();
  filters.render(ctx, ctx.filters); // not on every refresh: that would take the focus from the control in use
  if (again) publicMap?.relabel(ctx);
  await refresh();
}

setupLanguageSwitch();
await i18n.setLang(firstLanguage());
await start();
