/**
 * The citizen's participation requests once the server has them: their status fetched again with the
 * tracking token, the item shown in "Mis reportes" (status, department, deadline and, once given, the
 * municipality's answer) and the detail screen #/requests/<code> (with the photos' thumbnails).
 */
import { h, mount, announce } from './dom.js';
import { listRequests, getRequest, saveRequest, removeRequest } from './store.js';

const OPEN = new Set(['received', 'in_progress']);
const CLOSED = new Set(['answered', 'dismissed']);
const REFRESH_EVERY_MS = 60 * 1000;

/** Fetch one request's citizen view with its token and remember it; returns the stored request. */
async function refreshRequest(ctx, request) {
  try {
    const detail = await ctx.api.get(`/api/v1/participation/requests/${encodeURIComponent(request.code)}`, {
      headers: { 'X-Tracking-Token': request.token },
      timeout: 15000,
    });
    const updated = {
      code: request.code,
      status: detail.status,
      statusLabel: detail.status_label,
      kind: detail.kind,
      kindLabel: detail.kind_label,
      topicName: detail.topic?.name || request.topicName,
      departmentName: detail.department?.name || request.departmentName,
      receivedAt: detail.received_at || request.receivedAt,
      dueAt: detail.due_at || request.dueAt,
      detail,
      detailLang: ctx.i18n.lang,
      fetchedAt: Date.now(),
      missing: false,
    };
    await saveRequest(updated);
    return { ...request, ...updated };
  } catch (error) {
    if (error.status === 404) {
      await saveRequest({ code: request.code, missing: true });
      return { ...request, missing: true };
    }
    throw error;
  }
}

/**
 * Refresh the requests one by one (3G), stopping at the first network failure. Answered ones are asked
 * again too: a supervisor may reopen them. `fresh`: also those fetched in the last minute.
 */
export async function refreshRequests(ctx, { fresh = false } = {}) {
  if (!navigator.onLine) return;
  for (const request of await listRequests()) {
    const recent = request.fetchedAt && Date.now() - request.fetchedAt < REFRESH_EVERY_MS && request.detailLang === ctx.i18n.lang;
    if (recent && !fresh) continue;
    try { await refreshRequest(ctx, request); } catch (error) { if (!error.status) return; }
  }
}

const statusText = (ctx, request) => request.statusLabel || ctx.t(`participation.status.${request.status}`);
const kindText = (ctx, request) => request.kindLabel || ctx.t(`participation.kind.${request.kind}`);
const overdue = (request) => OPEN.has(request.status) && request.dueAt && Date.parse(request.dueAt) < Date.now();

/** Status badge, plus "deadline passed" while the municipality still owes the answer. */
function badges(ctx, request, testid) {
  return h('span', { class: 'badges' },
    h('span', { class: `badge badge-${request.status}`, dataset: { testid } }, statusText(ctx, request)),
    overdue(request) && h('span', { class: 'badge badge-overdue', dataset: { testid: 'request-overdue' } },
      ctx.t('participation.overdue')));
}

/** The municipality's answer (or why it closed the request), shown first once there is one. */
function answerBlock(ctx, detail, Heading) {
  if (!detail?.answer || !CLOSED.has(detail.status)) return null;
  const title = ctx.t(detail.status === 'dismissed' ? 'participation.dismissReason' : 'participation.answer');
  return h('section', { class: 'answer', dataset: { testid: 'request-answer' } },
    h(Heading, { class: 'answer-title' }, title),
    h('p', { class: 'answer-text' }, detail.answer),
    detail.answered_at && h('p', { class: 'meta' }, ctx.i18n.formatDate(detail.answered_at)));
}

/** One sent request in "Mis reportes". */
export function requestItem(ctx, request) {
  const { t } = ctx;
  const due = request.dueAt ? t('participation.due', { when: ctx.i18n.formatDate(request.dueAt) }) : '';
  return h('li', { class: 'report-item', dataset: { testid: 'my-request', status: request.status, code: request.code } },
    h('a', { href: `#/requests/${encodeURIComponent(request.code)}`, class: 'report-link' },
      h('span', { class: 'report-head' },
        h('strong', {}, request.topicName || request.code),
        badges(ctx, request, 'request-status')),
      h('span', { class: 'meta block' }, kindText(ctx, request), ' · ', request.code),
      h('span', { class: 'meta block', dataset: { testid: 'request-department' } },
        t('participation.department', { department: request.departmentName || '' })),
      due && h('span', { class: 'meta block', dataset: { testid: 'request-due' } }, due),
      request.missing && h('span', { class: 'error-text block' }, t('participation.missing'))),
    answerBlock(ctx, request.detail, 'p'));
}

/** Title line of a request still in the outbox ("Reclamo · Poste de luz apagado"). */
export const pendingTitle = (ctx, data) => `${ctx.t(`participation.kind.${data.kind}`)} · ${data.topicName}`;

function detailBody(ctx, request) {
  const { t } = ctx;
  const d = request.detail;
  if (!d) return h('p', { class: 'meta' }, t('detail.notLoaded'));
  return [
    h('p', {}, badges(ctx, request, 'detail-status')),
    answerBlock(ctx, d, 'h2'),
    h('dl', { class: 'facts' },
      h('dt', {}, t('participation.kindLegendShort')), h('dd', {}, d.kind_label),
      h('dt', {}, t('participation.topic')), h('dd', {}, d.topic?.name || ''),
      h('dt', {}, t('participation.departmentShort')), h('dd', {}, d.department?.name || ''),
      h('dt', {}, t('participation.receivedAt')), h('dd', {}, ctx.i18n.formatDate(d.received_at)),
      h('dt', {}, t('participation.dueShort')), h('dd', { dataset: { testid: 'request-due' } }, ctx.i18n.formatDate(d.due_at)),
      d.address && [h('dt', {}, t('participation.address')), h('dd', {}, d.address)]),
    h('p', { class: 'description' }, d.description),
    // Renditions made by the server (metadata removed); the full one opens from its thumbnail.
    d.photos?.length > 0 && h('div', { class: 'thumbs', dataset: { testid: 'request-photos' } }, d.photos.map((p, i) =>
      h('a', { href: p.url, target: '_blank', rel: 'noopener' },
        h('img', { src: p.thumb_url, alt: t('detail.photo', { n: i + 1 }), loading: 'lazy', width: 96, height: 96 })))),
    h('h2', {}, t('detail.timeline')),
    h('ol', { class: 'timeline', dataset: { testid: 'timeline' } }, (d.timeline || []).map((item) =>
      h('li', {}, h('strong', {}, item.label || item.kind), h('span', { class: 'meta' }, ctx.i18n.formatDate(item.at))))),
  ];
}

export function renderRequestDetail(view, ctx, code) {
  const { t } = ctx;
  let alive = true;
  const body = h('div', { 'aria-busy': 'true' });
  // The heading stays put while the body is redrawn, so focus and the screen reader's place are kept.
  mount(view,
    h('h1', { class: 'code-title' }, h('span', { class: 'meta' }, t('participation.code')), ' ',
      h('span', { class: 'code', dataset: { testid: 'detail-code' } }, code)),
    body,
    h('a', { href: '#/reports', class: 'btn btn-secondary btn-block' }, t('reports.title')));
  const draw = (request, note) => {
    if (!alive) return;
    body.removeAttribute('aria-busy');
    if (!request) return mount(body, h('p', { class: 'error-text' }, t('detail.unknown')));
    mount(body,
      request.missing
        ? [h('p', { class: 'error-text', role: 'alert' }, t('participation.missing')),
          h('button', { type: 'button', class: 'btn btn-ghost', onclick: async () => {
            await removeRequest(code);
            ctx.navigate('#/reports');
          } }, t('detail.remove'))]
        : detailBody(ctx, request),
      note && h('p', { class: 'meta', role: 'status' }, note),
      request.fetchedAt && h('p', { class: 'meta' }, t('detail.updated', { when: ctx.i18n.formatDate(request.fetchedAt) })));
  };
  getRequest(code).then(async (request) => {
    draw(request, request && navigator.onLine ? t('detail.refreshing') : null);
    if (!request || !navigator.onLine) return;
    try {
      draw(await refreshRequest(ctx, request));
      announce(t('detail.refreshed'));
    } catch {
      draw(request, t('detail.offline'));
    }
  });
  return () => { alive = false; };
}
