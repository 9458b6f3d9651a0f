/**
 * The analytics view (supervisors, analysts, admins): the committee's report for a period as KPI tiles,
 * charts with their data tables, a sector map, response times and units, the printable document, and the
 * forward-looking part (hotspots, forecast, patrol allocation).
 *
 * Loaded on first use (Chart.js, this module and its stylesheet are not part of the console's first load).
 * The markup is static in index.html (`#analytics`); this module fills its containers.
 */
import { loadStylesheet, mount } from '../dom.js';
import { loadLeaflet, script } from '../map.js';
import { renderCharts } from './charts.js';
import { renderKpis, renderTimes, renderUnits } from './tables.js';
import { createAnalyticsMap } from './sector-map.js';
import { createPlanning } from './planning.js';
import { checkCustom, localDate, periodQuery, presetDates, reportDates } from './period.js';

const CHART_JS = '/app/vendor/chartjs/chart.umd.min.js';
const STYLESHEET = '/console/analytics.css';
const SECTORS = '/api/v1/sectors';
const NOT_THERE = new Set([404, 405, 501]);

/** `root` is `#analytics`; `ctx` the console's (t, i18n, api = the session, tenant, categories, toast). */
export function createAnalyticsView(root, ctx) {
  const $ = (id) => root.querySelector(`#${id}`);
  const { t } = ctx;
  let period = { preset: 'last7', from: null, to: null };
  let today = null; // the first day after the server's default period
  let report = null;
  let destroyCharts = () => {};
  let analyticsMap = null;
  let sectors; // undefined: not asked yet; null: the server has no sector polygons
  let planning = null;
  let seq = 0;
  let ready = null;

  const viewCtx = {
    ...ctx,
    get categories() { return ctx.categories; },
    loadScript: script,
    analyticsMap: () => analyticsMap,
    shownPeriod: () => (report ? reportDates(report) : period),
    shadeIncidents,
  };

  function setState(state, text = '') {
    root.dataset.state = state;
    const el = $('an-status');
    el.textContent = text;
    el.className = `an-status ${state === 'error' ? 'error' : ''}`;
  }

  async function assets() {
    ready ||= Promise.all([
      loadStylesheet(STYLESHEET),
      window.Chart ? null : script(CHART_JS),
      loadLeaflet(),
    ]).catch((error) => { ready = null; throw error; });
    return ready;
  }

  async function loadSectors() {
    if (sectors !== undefined) return;
    try {
      sectors = await ctx.api.get(SECTORS);
    } catch (error) {
      if (!NOT_THERE.has(error.status)) throw error;
      sectors = null;
    }
  }

  function buildMap() {
    if (analyticsMap || !window.L) return;
    const center = ctx.tenant?.center || { lat: -8.1116, lon: -79.0287 };
    analyticsMap = createAnalyticsMap(window.L, $('an-map'), $('an-map-legend'), { area: ctx.tenant?.service_area, center, ctx: viewCtx });
    if (sectors?.features?.length) analyticsMap.setSectors(sectors);
  }

  /** Sectors shaded by incidents in the period (unless the allocation is shown on the map). */
  function shadeIncidents() {
    if (!analyticsMap || !report) return;
    if (planning?.allocationShown) return;
    analyticsMap.shadeSectors(new Map(report.by_sector.map((s) => [s.key, s.current])), {
      title: t('an.map.incidentsLegend'),
      format: (v) => ctx.i18n.formatNumber(v, { maximumFractionDigits: 0 }),
    });
  }

  function describePeriod() {
    const dates = reportDates(report);
    root.dataset.from = dates.from;
    root.dataset.to = dates.to;
    const day = (iso) => ctx.i18n.formatDate(`${iso}T12:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' });
    $('an-period-text').textContent = t('an.period.shown', { from: day(dates.from), to: day(dates.to) });
    if (!today) {
      // The server's default period ends today (exclusive): its end is "today" for the presets.
      today = localDate(report.period_to, report.time_zone);
    }
    if (period.preset !== 'custom') { $('an-from').value = dates.from; $('an-to').value = dates.to; }
  }

  function render() {
    destroyCharts();
    mount($('an-kpis'), renderKpis(report, viewCtx));
    mount($('an-charts'));
    destroyCharts = renderCharts($('an-charts'), report, viewCtx);
    mount($('an-times'), renderTimes(report, viewCtx));
    mount($('an-units'), renderUnits(report, viewCtx));
    $('an-map-note').textContent = sectors?.features?.length ? '' : t('an.map.noSectors');
    shadeIncidents();
    describePeriod();
  }

  async function load({ periodChanged = false } = {}) {
    const mine = ++seq;
    setState('loading', t('app.loading'));
    $('an-print').disabled = true;
    try {
      await assets();
      await loadSectors();
      const data = await ctx.api.get(`/api/v1/analytics/weekly${periodQuery(period)}`);
      if (mine !== seq) return; // a later request (period, language) wins
      report = data;
      buildMap();
      render();
      planning.refresh({ periodChanged });
      analyticsMap?.invalidate();
      setState('ready');
      $('an-print').disabled = false;
    } catch (error) {
      if (mine !== seq) return;
      setState('error', error.status === 0 ? t('error.network') : error.status === 403 ? t('error.forbidden') : (error.detail || t('error.generic')));
    }
  }

  function choosePreset() {
    const preset = $('an-preset').value;
    $('an-custom').hidden = preset !== 'custom';
    if (preset === 'custom') { $('an-from').focus(); return; }
    period = today ? { preset, ...presetDates(preset, today) } : { preset: 'last7', from: null, to: null };
    load({ periodChanged: true });
  }

  function applyCustom(event) {
    event.preventDefault();
    if ($('an-preset').value !== 'custom') return;
    const from = $('an-from').value;
    const to = $('an-to').value;
    const problem = checkCustom(from, to);
    $('an-period-error').textContent = problem ? t(problem) : '';
    if (problem) return;
    period = { preset: 'custom', from, to };
    load({ periodChanged: true });
  }

  /** The printable document: fetched with the token, shown in a new tab from a blob, then printed there. */
  async function fetchDocument() {
    const url = `/api/v1/analytics/weekly.html${periodQuery(period, { lang: ctx.i18n.lang })}`;
    const send = () => fetch(url, { headers: { Authorization: `Bearer ${ctx.api.token}`, Accept: 'text/html' } });
    let response = await send();
    if (response.status === 401) { await ctx.api.refresh(); response = await send(); }
    if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
    return response.text();
  }

  async function print() {
    // Opened now, inside the click, so that no popup blocker stops it; filled when the document arrives.
    const win = window.open('', '_blank');
    if (!win) { ctx.toast(t('an.print.blocked'), 'error'); return; }
    win.document.title = t('an.print.loading');
    win.document.body.textContent = t('an.print.loading');
    try {
      const html = await fetchDocument();
      const href = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
      win.location.replace(href);
      const started = Date.now();
      const timer = setInterval(() => {
        try {
          if (win.closed || Date.now() - started > 20000) { clearInterval(timer); return; }
          if (win.location.href === href && win.document.readyState === 'complete') {
            clearInterval(timer);
            win.focus();
            win.print();
          }
        } catch { /* the new document is still arriving */ }
      }, 150);
      setTimeout(() => URL.revokeObjectURL(href), 120000);
    } catch (error) {
      win.close();
      ctx.toast(error.status ? t('error.generic') : t('error.network'), 'error');
    }
  }

  function init() {
    planning = createPlanning($('analytics-planning'), viewCtx);
    $('an-preset').addEventListener('change', choosePreset);
    $('an-period').addEventListener('submit', applyCustom);
    $('an-print').addEventListener('click', print);
  }

  let initialised = false;
  return {
    /** Show the view and (re)load the report. */
    async open() {
      if (!initialised) { init(); initialised = true; }
      root.hidden = false;
      await load();
    },
    close() { root.hidden = true; },
    /** After a language change: names of categories, sectors and weekdays come from the server. */
    relabel() {
      analyticsMap?.relabel();
      if (!root.hidden) load();
    },
    get isOpen() { return !root.hidden; },
  };
}
