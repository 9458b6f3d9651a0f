/**
 * Hotspots, forecast and patrol allocation: the analysis that looks forward. Each asks its own endpoint
 * only when the analyst turns it on, and says "not available" when the server answers 404/405/501 (a server
 * without these routes yet), so the rest of the view works regardless.
 *
 * Contracts (docs/staff-api.md):
 *   GET /api/v1/analytics/hotspots?category=&from=&to=  → GeoJSON points, `weight` 0–1 (or `value`)
 *   GET /api/v1/analytics/forecast                      → GeoJSON cells, `value` = expected incidents, 7 days
 *   GET /api/v1/analytics/allocation?units=N&shifts=3   → { shifts: [name], rows: [{sector, units: {shift: n},
 *                                                          demand: {shift: x}}], covered_share,
 *                                                          covered_share_by_shift: {shift: share} (or a list) }
 */
import { h, mount } from '../dom.js';
import { periodQuery } from './period.js';

const UNAVAILABLE = new Set([404, 405, 501]);

/**
 * `section` is the #analytics-planning element; `ctx` the console's, plus `analyticsMap()`, `shownPeriod()`
 * (the dates of the report on screen) and `shadeIncidents()`.
 */
export function createPlanning(section, ctx) {
  const $ = (id) => section.querySelector(`#${id}`);
  const { t } = ctx;
  let allocation = null;

  function status(name, state, text = '') {
    const el = $(`an-${name}-status`);
    el.dataset.state = state;
    el.className = `an-status ${state}`;
    el.textContent = text || (state === 'unavailable' ? t('an.planning.unavailable') : state === 'loading' ? t('app.loading') : '');
  }

  async function fetchOrExplain(name, path) {
    status(name, 'loading');
    try {
      const data = await ctx.api.get(path);
      status(name, 'ready');
      return data;
    } catch (error) {
      if (UNAVAILABLE.has(error.status)) status(name, 'unavailable');
      else status(name, 'error', error.status === 0 ? t('error.network') : (error.detail || t('error.generic')));
      return null;
    }
  }

  async function showHeat() {
    const map = ctx.analyticsMap();
    const on = $('an-heat').checked;
    if (!on) { await map?.setHeat(null); status('hotspots', 'idle'); return; }
    const collection = await fetchOrExplain('hotspots',
      `/api/v1/analytics/hotspots${periodQuery(ctx.shownPeriod(), { category: $('an-heat-category').value })}`);
    if (!$('an-heat').checked) return; // turned off while loading
    await map?.setHeat(collection);
    if (collection) status('hotspots', 'ready', t('an.hotspots.shown', { n: (collection.features || []).length }));
  }

  async function showForecast() {
    const map = ctx.analyticsMap();
    if (!$('an-forecast').checked) { map?.setForecast(null); status('forecast', 'idle'); return; }
    const collection = await fetchOrExplain('forecast', '/api/v1/analytics/forecast');
    if (!$('an-forecast').checked) return;
    map?.setForecast(collection);
    if (collection) {
      const total = collection.properties?.total;
      status('forecast', 'ready', total == null ? t('an.forecast.shown', { n: (collection.features || []).length })
        : t('an.forecast.total', { n: ctx.i18n.formatNumber(total, { maximumFractionDigits: 1 }) }));
    }
  }

  const shiftName = (shift) => (typeof shift === 'string' ? shift : shift.name);

  function renderAllocation() {
    const out = $('an-allocation-result');
    if (!allocation) { mount(out); return; }
    const shifts = (allocation.shifts || []).map(shiftName);
    const rows = allocation.rows || [];
    const pct = (v) => (v == null ? '–' : `${ctx.i18n.formatNumber(100 * v, { maximumFractionDigits: 0 })} %`);
    const byShift = allocation.covered_share_by_shift || {};
    const shareOf = (s, i) => (Array.isArray(byShift) ? byShift[i] : byShift[s]);
    mount(out,
      h('p', { class: 'an-coverage', dataset: { testid: 'allocation-coverage', value: String(allocation.covered_share ?? '') } },
        t('an.allocation.coverage', { pct: pct(allocation.covered_share) })),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('an.allocation.title') },
        h('table', { class: 'data-table', dataset: { testid: 'table-allocation' } },
          h('caption', { class: 'visually-hidden' }, t('an.allocation.title')),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('an.col.sector')),
            shifts.map((s) => h('th', { scope: 'col', class: 'num' }, t('an.allocation.shift', { shift: s }))))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { key: row.sector } },
            h('th', { scope: 'row' }, row.name || row.sector),
            shifts.map((s) => h('td', { class: 'num', dataset: { shift: s, value: String(row.units?.[s] ?? '') } },
              ctx.i18n.formatNumber(row.units?.[s] ?? 0)))))),
          h('tfoot', {}, h('tr', {},
            h('th', { scope: 'row' }, t('an.allocation.coverageRow')),
            shifts.map((s, i) => h('td', { class: 'num', dataset: { shift: s } }, pct(shareOf(s, i)))))))));
    const select = $('an-allocation-shift');
    const previous = select.value;
    mount(select, shifts.map((s) => h('option', { value: s }, s)));
    if (shifts.includes(previous)) select.value = previous;
    $('an-allocation-shade').hidden = !shifts.length;
    shadeByShift();
  }

  /** The sector map shows the units the allocation gives each sector in the chosen shift. */
  function shadeByShift() {
    const map = ctx.analyticsMap();
    if (!allocation || !map) return;
    const shift = $('an-allocation-shift').value;
    if (!$('an-allocation-on-map').checked || !shift) { ctx.shadeIncidents(); return; }
    map.shadeSectors(new Map((allocation.rows || []).map((r) => [r.sector, r.units?.[shift] ?? 0])), {
      title: t('an.allocation.legend', { shift }),
      format: (v) => ctx.i18n.formatNumber(v, { maximumFractionDigits: 1 }),
    });
  }

  async function allocate(event) {
    event.preventDefault();
    const units = Number($('an-units-n').value);
    if (!Number.isInteger(units) || units < 1) { status('allocation', 'error', t('an.allocation.needUnits')); return; }
    allocation = await fetchOrExplain('allocation', `/api/v1/analytics/allocation?units=${units}&shifts=3`);
    renderAllocation();
  }

  /** Category choices for the heat layer (names from the server, in the current language). */
  function fillCategories() {
    const select = $('an-heat-category');
    const previous = select.value;
    mount(select, h('option', { value: '' }, t('an.hotspots.allCategories')),
      ctx.categories.map((c) => h('option', { value: c.code }, c.name)));
    select.value = previous;
  }

  $('an-heat').addEventListener('change', showHeat);
  $('an-heat-category').addEventListener('change', () => { if ($('an-heat').checked) showHeat(); });
  $('an-forecast').addEventListener('change', showForecast);
  $('an-allocation-form').addEventListener('submit', allocate);
  $('an-allocation-shift').addEventListener('change', shadeByShift);
  $('an-allocation-on-map').addEventListener('change', shadeByShift);

  return {
    /** After a language change or a new period: labels, categories, and the layers that depend on them. */
    refresh({ periodChanged = false } = {}) {
      fillCategories();
      renderAllocation();
      if (periodChanged && $('an-heat').checked) showHeat();
    },
    get allocationShown() { return Boolean(allocation) && $('an-allocation-on-map').checked; },
  };
}
