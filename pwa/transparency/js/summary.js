/** The KPI tiles (total, response time median and p90, confirmed share) and the privacy explanation. */
import { h, mount } from '/app/js/dom.js';

function tile(testid, value, label, detail) {
  return h('li', { class: 'kpi', dataset: { testid } },
    h('span', { class: 'kpi-value' }, value),
    h('span', { class: 'kpi-label' }, label),
    detail ? h('span', { class: 'kpi-detail' }, detail) : null);
}

export function renderKpis(list, { t, format }, stats) {
  const response = stats.response || {};
  const share = stats.confirmed_share;
  mount(list,
    tile('kpi-total', format.number(stats.total), t('kpi.total')),
    tile('kpi-median', format.minutes(response.median_min), t('kpi.median'),
      response.n ? t('kpi.responseN', { n: format.number(response.n) }) : null),
    tile('kpi-p90', format.minutes(response.p90_min), t('kpi.p90')),
    tile('kpi-confirmed',
      share == null ? t('kpi.none') : format.percent(share),
      t('kpi.confirmed'),
      stats.unfounded ? t('kpi.confirmedDetail', { n: format.number(stats.unfounded) }) : null));
}

/**
 * The rules in the visitor's words. `policy`: what the data says of the publication rules; the delay is not
 * in the API, so the documented default is shown.
 */
export function renderAbout(list, { t }, policy) {
  mount(list,
    h('li', {}, t('about.delay', policy)),
    h('li', {}, t('about.location', policy)),
    h('li', {}, t('about.time')),
    h('li', {}, t('about.sensitive')),
    h('li', {}, t('about.never')));
}
