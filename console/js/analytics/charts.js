/**
 * The report's breakdowns as Chart.js charts (global `Chart`, vendored UMD), each followed by the same
 * numbers as a table in a <details> (the accessible alternative, and what the tests read).
 *
 * Categories and sectors compare three series (this period, the average of the four before, the same
 * period last year); hours and weekdays two (no last-year figure per hour in the report); months one.
 */
import { h } from '../dom.js';

const PALETTE = { current: '--brand', previous: '--an-previous', lastYear: '--an-last-year' };
const FALLBACK = { current: '#0f4c81', previous: '#6b7a8f', lastYear: '#c2410c' };
const ROW_PX = 34;

function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const colors = () => Object.fromEntries(Object.entries(PALETTE).map(([k, v]) => [k, cssVar(v, FALLBACK[k])]));

/** The charts: `key` in the report, its series (column → value of a row) and how it is drawn. */
export function chartSpecs(t) {
  const compared = [
    { col: 'current', label: t('an.series.current'), value: (r) => r.current, color: 'current' },
    { col: 'previous_avg', label: t('an.series.previousAvg'), value: (r) => r.previous_avg, color: 'previous', decimals: 1 },
    { col: 'last_year', label: t('an.series.lastYear'), value: (r) => r.last_year, color: 'lastYear' },
  ];
  const clock = [
    compared[0],
    { ...compared[1], line: true },
  ];
  return [
    { key: 'by_category', title: t('an.chart.category'), series: compared, horizontal: true, change: true },
    { key: 'by_sector', title: t('an.chart.sector'), series: compared, horizontal: true, change: true },
    { key: 'by_hour', title: t('an.chart.hour'), series: clock, label: (r) => String(r.key).padStart(2, '0') },
    { key: 'by_weekday', title: t('an.chart.weekday'), series: clock },
    {
      key: 'by_month', title: t('an.chart.month'), line: true, rowKey: (r) => r.month, label: (r) => r.month,
      series: [{ col: 'count', label: t('an.series.incidents'), value: (r) => r.count, color: 'current' }],
    },
  ];
}

function config(spec, rows, labels, palette) {
  const text = cssVar('--text', '#1b1f24');
  const grid = cssVar('--border', '#b7c0cc');
  const datasets = spec.series.map((s) => {
    const line = spec.line || s.line;
    return {
      type: line ? 'line' : 'bar',
      label: s.label,
      data: rows.map(s.value),
      backgroundColor: palette[s.color],
      borderColor: palette[s.color],
      borderWidth: line ? 2 : 0,
      pointRadius: line ? 2 : 0,
      borderDash: s.line ? [6, 4] : undefined,
      order: s.line ? 0 : 1,
    };
  });
  const valueAxis = { beginAtZero: true, ticks: { color: text, precision: 0 }, grid: { color: grid } };
  const labelAxis = { ticks: { color: text, autoSkip: !spec.horizontal }, grid: { display: false } };
  return {
    type: 'bar',
    data: { labels, datasets },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: { legend: { display: datasets.length > 1, labels: { color: text } } },
    },
  };
}

function cell(value, { decimals = 0, format }) {
  return h('td', { class: 'num', dataset: { value: value == null ? '' : String(value) } },
    value == null ? '–' : format(value, { maximumFractionDigits: decimals, minimumFractionDigits: decimals }));
}

/** "+50 %" / "−20 %" with an arrow that is read out as words too. */
export function changeCell(pct, { t, format }) {
  if (pct == null) return h('td', { class: 'num', dataset: { value: '' } }, '–');
  const way = pct > 0 ? 'up' : pct < 0 ? 'down' : 'flat';
  const arrow = { up: '▲', down: '▼', flat: '＝' }[way];
  return h('td', { class: `num change ${way}`, dataset: { value: String(pct) } },
    h('span', { 'aria-hidden': 'true' }, `${arrow} `),
    `${pct > 0 ? '+' : ''}${format(pct, { maximumFractionDigits: 0 })} %`,
    h('span', { class: 'visually-hidden' }, ` (${t(`an.change.${way}`)})`));
}

function table(spec, rows, labels, { t, format }) {
  const keyOf = spec.rowKey || ((r) => r.key);
  return h('table', { class: 'data-table', dataset: { testid: `table-${spec.key}` } },
    h('caption', { class: 'visually-hidden' }, spec.title),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('an.col.name')),
      spec.series.map((s) => h('th', { scope: 'col', class: 'num' }, s.label)),
      spec.change ? h('th', { scope: 'col', class: 'num' }, t('an.col.change')) : null)),
    h('tbody', {}, rows.map((row, i) => h('tr', { dataset: { key: String(keyOf(row)) } },
      h('th', { scope: 'row' }, labels[i]),
      spec.series.map((s) => {
        const td = cell(s.value(row), { decimals: s.decimals || 0, format });
        td.dataset.col = s.col;
        return td;
      }),
      spec.change ? changeCell(row.change_pct, { t, format }) : null))));
}

/**
 * One figure per breakdown into `container` (appended); returns a function that destroys the charts.
 * `ctx` gives `t` and `i18n` (number formats).
 */
export function renderCharts(container, report, ctx) {
  const { t } = ctx;
  const format = (value, options) => ctx.i18n.formatNumber(value, options);
  const palette = colors();
  const pending = [];
  for (const spec of chartSpecs(t)) {
    const rows = report[spec.key] || [];
    const labels = rows.map((row) => (spec.label ? spec.label(row) : row.name || String(row.key)));
    const id = `an-chart-${spec.key}`;
    const figure = h('figure', { class: `an-card an-chart${spec.horizontal ? ' is-wide' : ''}`, 'aria-labelledby': `${id}-title`, dataset: { testid: `chart-${spec.key}` } },
      h('h3', { id: `${id}-title` }, spec.title));
    container.append(figure);
    if (!rows.length) {
      figure.append(h('p', { class: 'meta' }, t('an.empty')));
      continue;
    }
    const height = spec.horizontal ? Math.max(160, rows.length * ROW_PX + 70) : 240;
    const canvas = h('canvas', { role: 'img', 'aria-label': t('an.chartLabel', { title: spec.title }) });
    figure.append(
      h('div', { class: 'an-chart-box', style: `height:${height}px` }, canvas),
      h('details', { class: 'chart-data' }, h('summary', {}, t('an.data')), table(spec, rows, labels, { t, format })));
    pending.push([canvas, config(spec, rows, labels, palette)]);
  }
  // Drawn once the figures are in the document, so Chart.js can measure their boxes.
  const charts = window.Chart ? pending.map(([canvas, cfg]) => new window.Chart(canvas, cfg)) : [];
  return () => charts.forEach((chart) => chart.destroy());
}
