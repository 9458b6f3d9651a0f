/**
 * The five breakdowns of /api/v1/public/stats as bar charts (Chart.js, global `Chart`), each followed by
 * the same numbers as a table (the accessible alternative, in a <details>).
 *
 * A suppressed count (null: between 1 and k-1) is never drawn as zero: it is a hatched bar up to k-1 and
 * "<k" in the table and the tooltip.
 */
import { h, mount } from '/app/js/dom.js';

export const BREAKDOWNS = [
  { key: 'by_category', title: 'charts.category', horizontal: true },
  { key: 'by_month', title: 'charts.month', label: (row, format) => format.month(row.key) },
  { key: 'by_weekday', title: 'charts.weekday' },
  { key: 'by_hour_band', title: 'charts.hour', note: 'charts.hourNote' },
  { key: 'by_district', title: 'charts.district', horizontal: true },
];

const ROW_PX = 30;
const LABEL_CHARS = 18; // a phone's category axis: longer names wrap onto a second line

/** "Ruidos molestos / disturbios vecinales" → ["Ruidos molestos /", "disturbios vecinales"]. */
function wrap(text, width = LABEL_CHARS) {
  const lines = [];
  for (const word of String(text).split(' ')) {
    const last = lines[lines.length - 1];
    if (last && (last + ' ' + word).length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.length > 1 ? lines : text;
}

function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Diagonal stripes: "a few, exact number withheld", distinguishable without colour. */
function hatch(color) {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const g = tile.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, 8, 8);
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(0, 8); g.lineTo(8, 0);
  g.moveTo(-2, 2); g.lineTo(2, -2);
  g.moveTo(6, 10); g.lineTo(10, 6);
  g.stroke();
  return g.createPattern(tile, 'repeat');
}

function chartConfig(spec, rows, labels, { t, format, k }) {
  const brand = cssVar('--brand', '#0f4c81');
  const text = cssVar('--text', '#1b1f24');
  const grid = cssVar('--border', '#aab4c0');
  const suppressed = rows.map((row) => (row.count == null ? k - 1 : null));
  const anySuppressed = suppressed.some((v) => v != null);
  const valueAxis = { beginAtZero: true, stacked: true, ticks: { color: text, precision: 0 }, grid: { color: grid } };
  const labelAxis = { stacked: true, ticks: { color: text, autoSkip: !spec.horizontal }, grid: { display: false } };
  return {
    type: 'bar',
    data: {
      labels: spec.horizontal ? labels.map((label) => wrap(label)) : labels,
      datasets: [
        { label: t('charts.count'), data: rows.map((row) => row.count), backgroundColor: brand },
        {
          label: t('charts.suppressed', { k }),
          data: suppressed,
          backgroundColor: hatch(brand),
          borderColor: brand,
          borderWidth: 1,
          hidden: !anySuppressed,
        },
      ],
    },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: {
        legend: {
          display: anySuppressed,
          labels: { color: text, filter: (item, data) => !data.datasets[item.datasetIndex].hidden },
        },
        tooltip: {
          filter: (item) => item.raw != null,
          callbacks: {
            label: (item) => (item.datasetIndex === 1 ? `<${k}` : `${t('charts.count')}: ${format.number(item.raw)}`),
          },
        },
      },
    },
  };
}

function table(spec, rows, labels, { t, format, k }, title) {
  return h('table', { class: 'data-table', dataset: { testid: `table-${spec.key}` } },
    h('caption', { class: 'visually-hidden' }, title),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('charts.key')),
      h('th', { scope: 'col' }, t('charts.count')))),
    h('tbody', {}, rows.map((row, i) => h('tr', { dataset: { key: row.key } },
      h('th', { scope: 'row' }, labels[i],
        row.sensitive ? h('span', { class: 'meta' }, ` (${t('charts.sensitive')})`) : null),
      h('td', { dataset: { count: row.count == null ? '' : String(row.count) } },
        row.count == null
          ? [h('span', { 'aria-hidden': 'true' }, format.count(null, k)),
            h('span', { class: 'visually-hidden' }, t('charts.suppressed', { k }))]
          : format.count(row.count, k))))));
}

/** Draws every breakdown into `container`; returns a function that destroys the charts. */
export function renderCharts(container, ctx, stats) {
  const { t, format } = ctx;
  const k = stats.k ?? 3;
  const charts = [];
  const figures = BREAKDOWNS.map((spec) => {
    const rows = stats[spec.key] || [];
    const labels = rows.map((row) => (spec.label ? spec.label(row, format) : row.name || row.key));
    const title = t(spec.title);
    const id = `chart-${spec.key}`;
    const figure = h('figure', { class: 'card chart-card', 'aria-labelledby': `${id}-title`, dataset: { testid: id } },
      h('h3', { id: `${id}-title`, class: 'chart-title' }, title),
      spec.note ? h('p', { class: 'meta' }, t(spec.note)) : null);
    if (!rows.length) {
      figure.append(h('p', { class: 'meta' }, t('charts.empty')));
      return figure;
    }
    const height = spec.horizontal ? rows.length * (ROW_PX + 6) + 60 : 240;
    const canvas = h('canvas', { role: 'img', 'aria-label': t('charts.chartLabel', { title }) });
    figure.append(
      h('div', { class: 'chart-box', style: `height:${height}px` }, canvas),
      h('details', { class: 'chart-data' },
        h('summary', {}, t('charts.data')),
        table(spec, rows, labels, { t, format, k }, title)));
    charts.push([canvas, chartConfig(spec, rows, labels, { t, format, k })]);
    return figure;
  });
  mount(container, figures);
  // Drawn once in the document, so Chart.js can measure the boxes.
  const drawn = window.Chart ? charts.map(([canvas, config]) => new window.Chart(canvas, config)) : [];
  return () => drawn.forEach((chart) => chart.destroy());
}
