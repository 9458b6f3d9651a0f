/**
 * The report's figures that are not charts: the KPI tiles, response times (median and 90th percentile of
 * each step, overall, by priority and by sector) and the units' hours on duty against hours on cases.
 */
import { h } from '../dom.js';

const percent = (ctx, share, digits = 0) =>
  (share == null ? '–' : `${ctx.i18n.formatNumber(100 * share, { maximumFractionDigits: digits, minimumFractionDigits: digits })} %`);

/** Change against a reference as an arrow, a signed percentage and words (null when the reference is 0). */
function versus(ctx, current, reference, key) {
  const { t, i18n } = ctx;
  if (!reference) return h('p', { class: 'kpi-vs' }, t(key, { value: i18n.formatNumber(reference ?? 0, { maximumFractionDigits: 1 }) }));
  const pct = (100 * (current - reference)) / reference;
  const way = Math.abs(pct) < 0.5 ? 'flat' : pct > 0 ? 'up' : 'down';
  return h('p', { class: `kpi-vs change ${way}` },
    h('span', { 'aria-hidden': 'true' }, `${{ up: '▲', down: '▼', flat: '＝' }[way]} `),
    `${pct > 0 ? '+' : ''}${i18n.formatNumber(pct, { maximumFractionDigits: 0 })} % `,
    h('span', { class: 'visually-hidden' }, `(${t(`an.change.${way}`)}) `),
    t(key, { value: i18n.formatNumber(reference, { maximumFractionDigits: 1 }) }));
}

function tile(testid, title, value, raw, ...more) {
  return h('li', { class: 'an-kpi', dataset: { testid } },
    h('p', { class: 'kpi-title' }, title),
    h('p', { class: 'kpi-value', dataset: { value: raw == null ? '' : String(raw) } }, value),
    more);
}

export function renderKpis(report, ctx) {
  const { t, i18n } = ctx;
  const cb = report.callbacks;
  return h('ul', { class: 'an-kpis', 'aria-label': t('an.kpis') },
    tile('kpi-total', t('an.kpi.total'), i18n.formatNumber(report.total), report.total,
      versus(ctx, report.total, report.previous_avg, 'an.kpi.vsPrevious'),
      versus(ctx, report.total, report.last_year, 'an.kpi.vsLastYear')),
    tile('kpi-unfounded', t('an.kpi.unfounded'), percent(ctx, report.unfounded_share, 1), report.unfounded_share,
      h('p', { class: 'kpi-vs' }, t('an.kpi.unfoundedN', { n: report.unfounded }))),
    tile('kpi-callbacks', t('an.kpi.callbacks'), percent(ctx, cb.compliance), cb.compliance,
      h('p', { class: 'kpi-vs' }, t('an.kpi.callbacksN', { due: cb.due, onTime: cb.on_time, late: cb.late, overdue: cb.overdue }))),
    tile('kpi-busy', t('an.kpi.busy'), percent(ctx, report.busy_share), report.busy_share,
      h('p', { class: 'kpi-vs' }, t('an.kpi.busyHours', {
        busy: i18n.formatNumber(report.busy_h, { maximumFractionDigits: 1 }),
        duty: i18n.formatNumber(report.duty_h, { maximumFractionDigits: 1 }),
      }))));
}

const STEPS = ['to_dispatch', 'to_scene', 'to_resolve'];

function minutes(ctx, value) {
  return value == null ? '–' : ctx.i18n.formatNumber(value, { maximumFractionDigits: 0 });
}

function timeGroup(rows, label, ctx) {
  if (!rows.length) return null;
  return h('tbody', {},
    h('tr', { class: 'group' }, h('th', { scope: 'rowgroup', colspan: 8 }, label)),
    rows.map((row) => h('tr', { dataset: { key: row.key } },
      h('th', { scope: 'row' }, row.key === 'all' ? ctx.t('an.times.all') : row.name),
      h('td', { class: 'num' }, ctx.i18n.formatNumber(row.incidents)),
      STEPS.flatMap((step) => [
        h('td', { class: 'num', dataset: { step, stat: 'median' } }, minutes(ctx, row[step].median_min)),
        h('td', { class: 'num', dataset: { step, stat: 'p90' } }, minutes(ctx, row[step].p90_min)),
      ]))));
}

export function renderTimes(report, ctx) {
  const { t } = ctx;
  const times = report.times || [];
  const priority = times.filter((r) => /^P\d$/.test(r.key));
  const sectors = times.filter((r) => r.key !== 'all' && !/^P\d$/.test(r.key));
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'an-times-title' },
    h('table', { class: 'data-table', dataset: { testid: 'table-times' } },
      h('caption', { class: 'visually-hidden' }, t('an.times.title')),
      h('thead', {},
        h('tr', {},
          h('td', { rowspan: 2 }),
          h('th', { scope: 'col', rowspan: 2, class: 'num' }, t('an.col.incidents')),
          STEPS.map((step) => h('th', { scope: 'colgroup', colspan: 2, class: 'center' }, t(`an.times.${step}`)))),
        h('tr', {}, STEPS.flatMap(() => [
          h('th', { scope: 'col', class: 'num' }, t('an.times.median')),
          h('th', { scope: 'col', class: 'num' }, t('an.times.p90')),
        ]))),
      timeGroup(times.filter((r) => r.key === 'all'), t('an.times.overall'), ctx),
      timeGroup(priority, t('an.times.byPriority'), ctx),
      timeGroup(sectors, t('an.times.bySector'), ctx)));
}

export function renderUnits(report, ctx) {
  const { t, i18n } = ctx;
  if (!report.units?.length) return h('p', { class: 'meta' }, t('an.units.none'));
  const hours = (v) => i18n.formatNumber(v, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'an-units-title' },
    h('table', { class: 'data-table', dataset: { testid: 'table-units' } },
      h('caption', { class: 'visually-hidden' }, t('an.units.title')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('an.units.unit')),
        h('th', { scope: 'col' }, t('an.units.agency')),
        h('th', { scope: 'col', class: 'num' }, t('an.units.duty')),
        h('th', { scope: 'col', class: 'num' }, t('an.units.busy')),
        h('th', { scope: 'col', class: 'num' }, t('an.units.share')),
        h('th', { scope: 'col', class: 'num' }, t('an.units.cases')))),
      h('tbody', {}, report.units.map((u) => h('tr', { dataset: { key: u.call_sign } },
        h('th', { scope: 'row' }, u.call_sign),
        h('td', {}, ctx.label('agency', u.agency)),
        h('td', { class: 'num' }, hours(u.duty_h)),
        h('td', { class: 'num' }, hours(u.busy_h)),
        h('td', { class: 'num' }, percent(ctx, u.busy_share)),
        h('td', { class: 'num' }, i18n.formatNumber(u.cases)))))));
}
