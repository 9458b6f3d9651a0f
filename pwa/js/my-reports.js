/**
 * "Mis reportes": reports and participation requests still in the outbox (pending or failed) and those the
 * server accepted, whose status is fetched again with the tracking token whenever the list or one of them
 * is opened (at most once a minute from the home screen's list).
 */
import { h, mount, announce } from './dom.js';
import { listReports, getReport, saveReport, removeReport, listRequests } from './store.js';
import { PENDING } from '/shared/offline-queue.js';
import { startCorrection } from './wizard.js';
import { KIND as PARTICIPATION } from './participation-sender.js';
import { startRequestCorrection } from './participation-form.js';
import { pendingTitle, refreshRequests, requestItem } from './participation-status.js';

const FINAL = new Set(['closed', 'duplicate', 'unfounded', 'cancelled']);
const REFRESH_EVERY_MS = 60 * 1000;

/** Fetch one report's public status with its token and remember it; returns the stored report. */
async function refreshOne(ctx, report) {
  try {
    const detail = await ctx.api.get(`/api/v1/reports/${encodeURIComponent(report.code)}`, {
      headers: { 'X-Tracking-Token': report.token },
      timeout: 15000,
    });
    const updated = {
      code: report.code,
      status: detail.status,
      statusLabel: detail.status_label,
      categoryName: detail.category?.name || report.categoryName,
      reportedAt: detail.reported_at || report.reportedAt,
      detail,
      detailLang: ctx.i18n.lang,
      fetchedAt: Date.now(),
      missing: false,
    };
    await saveReport(updated);
    return { ...report, ...updated };
  } catch (error) {
    if (error.status === 404) {
      await saveReport({ code: report.code, missing: true });
      return { ...report, missing: true };
    }
    throw error;
  }
}

/**
 * Refresh the open reports one by one (3G); stops at the first network failure. `fresh`: also those
 * fetched in the last minute (the citizen opened "Mis reportes" to see what changed).
 */
async function refreshAll(ctx, { fresh = false } = {}) {
  if (!navigator.onLine) return;
  for (const report of await listReports()) {
    const recent = report.fetchedAt && Date.now() - report.fetchedAt < REFRESH_EVERY_MS && report.detailLang === ctx.i18n.lang;
    if ((recent && !fresh) || (FINAL.has(report.status) && report.detail && report.detailLang === ctx.i18n.lang)) continue;
    try { await refreshOne(ctx, report); } catch (error) { if (!error.status) return; }
  }
}

function statusText(ctx, report) {
  return report.statusLabel || ctx.t(`status.${report.status}`);
}

function outboxItem(ctx, record, rerender) {
  const { t } = ctx;
  const failed = record.state !== PENDING;
  const isRequest = record.kind === PARTICIPATION;
  const when = ctx.i18n.formatDate(record.createdAt);
  const actions = failed && h('div', { class: 'actions-inline' },
    h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'retry-report' },
      onclick: async () => { await ctx.outbox.retry(record.id); rerender(); } }, t('reports.retry')),
    h('button', { type: 'button', class: 'btn btn-small btn-secondary', dataset: { testid: 'fix-report' },
      onclick: () => (isRequest ? startRequestCorrection : startCorrection)(ctx, record) }, t('reports.fix')),
    h('button', { type: 'button', class: 'btn btn-small btn-ghost', dataset: { testid: 'discard-report' },
      onclick: async () => {
        if (!confirm(t('reports.discardConfirm'))) return;
        await ctx.outbox.discard(record.id);
        rerender();
      } }, t('reports.discard')));
  const testid = isRequest ? 'my-request' : 'my-report';
  return h('li', { class: 'report-item', dataset: { testid, status: failed ? 'failed' : 'pending', id: record.id } },
    h('div', { class: 'report-head' },
      h('strong', {}, isRequest ? pendingTitle(ctx, record.data) : record.data.categoryName),
      failed
        ? h('span', { class: 'badge badge-failed', dataset: { testid: 'failed-badge' } }, t('reports.failed'))
        : h('span', { class: 'badge badge-pending', dataset: { testid: 'pending-badge' } }, t('reports.pending'))),
    h('span', { class: 'meta' }, when),
    h('p', { class: failed ? 'error-text' : 'meta' },
      failed ? (record.error?.detail || t('reports.failedGeneric')) : t('reports.pendingHint')),
    actions);
}

function sentItem(ctx, report) {
  return h('li', { class: 'report-item', dataset: { testid: 'my-report', status: report.status, code: report.code } },
    h('a', { href: `#/reports/${encodeURIComponent(report.code)}`, class: 'report-link' },
      h('span', { class: 'report-head' },
        h('strong', {}, report.categoryName || report.code),
        h('span', { class: `badge badge-${report.status}`, dataset: { testid: 'status-badge' } }, statusText(ctx, report))),
      h('span', { class: 'meta' }, report.code, ' · ', report.reportedAt ? ctx.i18n.formatDate(report.reportedAt) : '')));
}

/**
 * Fill `list` (an <ul>) with the outbox records first, then the sent reports and requests, newest first.
 * Returns the item count.
 */
async function fillList(ctx, list, rerender) {
  const [records, reports, requests] = await Promise.all([ctx.outbox.list(), listReports(), listRequests()]);
  const sent = [
    ...reports.map((report) => ({ at: report.reportedAt, item: () => sentItem(ctx, report) })),
    ...requests.map((request) => ({ at: request.receivedAt, item: () => requestItem(ctx, request) })),
  ].sort((a, b) => String(b.at).localeCompare(String(a.at)));
  mount(list,
    records.map((record) => outboxItem(ctx, record, rerender)),
    sent.map(({ item }) => item()));
  return records.length + sent.length;
}

/**
 * The list used on the home screen and on #/reports; keeps itself current. Returns a cleanup.
 * `fresh`: ask the server about every open item, even one asked about a moment ago.
 */
export function reportList(ctx, container, { refresh = true, fresh = false } = {}) {
  const list = h('ul', { class: 'report-list', id: 'my-reports-list' });
  const empty = h('p', { class: 'meta', hidden: true, dataset: { testid: 'no-reports' } }, ctx.t('reports.empty'));
  mount(container, list, empty);
  let alive = true;
  const rerender = async () => {
    if (!alive) return;
    const count = await fillList(ctx, list, rerender);
    empty.hidden = count > 0;
  };
  rerender();
  if (refresh) {
    list.dataset.state = 'refreshing'; // a test hook: 'ready' once the server was asked
    refreshAll(ctx, { fresh })
      .then(() => refreshRequests(ctx, { fresh }))
      .catch((error) => console.warn('refresh', error))
      .then(rerender)
      .then(() => { list.dataset.state = 'ready'; });
  }
  const unsubscribe = ctx.outbox.subscribe((event) => {
    if (event.type !== 'progress') rerender();
  });
  return () => { alive = false; unsubscribe(); };
}

export function renderMyReports(view, ctx) {
  const { t } = ctx;
  const holder = h('div');
  mount(view,
    h('h1', {}, t('reports.title')),
    h('p', { class: 'meta' }, t('reports.tokenNote')),
    holder,
    h('a', { href: '#/', class: 'btn btn-secondary btn-block' }, t('nav.backHome')));
  return reportList(ctx, holder, { fresh: true });
}

function detailBody(ctx, report) {
  const { t } = ctx;
  const d = report.detail;
  if (!d) return h('p', { class: 'meta' }, t('detail.notLoaded'));
  return [
    h('p', {}, h('span', { class: `badge badge-${d.status}`, dataset: { testid: 'detail-status' } }, d.status_label || t(`status.${d.status}`))),
    h('dl', { class: 'facts' },
      h('dt', {}, t('detail.category')), h('dd', {}, d.category?.name || ''),
      h('dt', {}, t('detail.reportedAt')), h('dd', {}, d.reported_at ? ctx.i18n.formatDate(d.reported_at) : ''),
      d.outcome && [h('dt', {}, t('detail.outcome')), h('dd', {}, d.outcome_label || d.outcome)],
      d.resolved_at && [h('dt', {}, t('detail.resolvedAt')), h('dd', {}, ctx.i18n.formatDate(d.resolved_at))]),
    d.description && h('p', { class: 'description' }, d.description),
    d.photos?.length > 0 && h('div', { class: 'thumbs' }, d.photos.map((p, i) =>
      h('a', { href: p.url, target: '_blank', rel: 'noopener' },
        h('img', { src: p.thumb_url, alt: t('detail.photo', { n: i + 1 }), loading: 'lazy', width: 96, height: 96 })))),
    h('h2', {}, t('detail.timeline')),
    h('ol', { class: 'timeline', dataset: { testid: 'timeline' } }, (d.timeline || []).map((item) =>
      h('li', {}, h('strong', {}, item.label || item.kind), h('span', { class: 'meta' }, ctx.i18n.formatDate(item.at))))),
  ];
}

export function renderReportDetail(view, ctx, code) {
  const { t } = ctx;
  let alive = true;
  const body = h('div', { 'aria-busy': 'true' });
  // The heading stays put while the body is redrawn, so focus and the screen reader's place are kept.
  mount(view,
    h('h1', { class: 'code-title' }, h('span', { class: 'meta' }, t('detail.code')), ' ',
      h('span', { class: 'code', dataset: { testid: 'detail-code' } }, code)),
    body,
    h('a', { href: '#/reports', class: 'btn btn-secondary btn-block' }, t('reports.title')));
  const draw = (report, note) => {
    if (!alive) return;
    body.removeAttribute('aria-busy');
    if (!report) return mount(body, h('p', { class: 'error-text' }, t('detail.unknown')));
    mount(body,
      report.missing
        ? [h('p', { class: 'error-text', role: 'alert' }, t('detail.missing')),
          h('button', { type: 'button', class: 'btn btn-ghost', onclick: async () => {
            await removeReport(code);
            ctx.navigate('#/reports');
          } }, t('detail.remove'))]
        : detailBody(ctx, report),
      note && h('p', { class: 'meta', role: 'status' }, note),
      report.fetchedAt && h('p', { class: 'meta' }, t('detail.updated', { when: ctx.i18n.formatDate(report.fetchedAt) })));
  };
  getReport(code).then(async (report) => {
    draw(report, report && navigator.onLine ? t('detail.refreshing') : null);
    if (!report || !navigator.onLine) return;
    try {
      draw(await refreshOne(ctx, report));
      announce(t('detail.refreshed'));
    } catch {
      draw(report, t('detail.offline'));
    }
  });
  return () => { alive = false; };
}
