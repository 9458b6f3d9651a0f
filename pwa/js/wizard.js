/**
 * The report wizard: five steps over one draft kept in `ctx.draft`, then the draft goes into the outbox.
 *
 * The report is stored on the phone *before* the first attempt to send it, so closing the app, losing the
 * signal or a crash can delay a report but never lose it. When online the citizen waits for the answer
 * (to see the code, or to move the pin if the point is outside the city); otherwise it is sent later.
 */
import { h, mount, announce } from './dom.js';
import { recordData } from './report-sender.js';
import { draftPhotos } from './photo-upload.js';
import { persistStorage } from './store.js';
import * as category from './step-category.js';
import * as photos from './step-photos.js';
import * as location from './step-location.js';
import * as details from './step-details.js';
import { localDateTime } from './step-details.js';
import * as contact from './step-contact.js';

const STEPS = [category, photos, location, details, contact];

export function newDraft() {
  return {
    recordId: null,
    replaces: null, // a failed outbox record this draft corrects; discarded once the new one is stored
    category: null,
    photos: [], // {key, blob, url, upload: {id, sent, ready, ...}}
    location: null, // {lat, lon, accuracy, adjusted, source: 'gps' | 'map'}
    description: '',
    occurredAt: localDateTime(),
    anonymous: true,
    contact: { name: '', phone: '', email: '', callback: false },
    error: null, // {code, detail} of the last refusal, shown on the step that can fix it
    sending: false,
  };
}

/** Reopen a report the server refused (from "Mis reportes") on the step that can fix it. */
export function startCorrection(ctx, record) {
  const data = record.data;
  const report = data.report;
  const draft = newDraft();
  Object.assign(draft, {
    replaces: record.id,
    category: ctx.categories.find((c) => c.code === data.categoryCode)
      || { code: data.categoryCode, name: data.categoryName, emergency: data.emergency },
    photos: draftPhotos(data.photos),
    location: data.location,
    description: report.description,
    occurredAt: report.occurred_at ? localDateTime(new Date(report.occurred_at)) : localDateTime(),
    anonymous: report.anonymous,
    contact: report.contact
      ? { ...report.contact, callback: Boolean(report.contact.callback_wanted) }
      : draft.contact,
    error: record.error,
  });
  ctx.draft = draft;
  ctx.navigate(record.error?.code === 'outside_service_area' ? '#/report/3' : '#/report/5');
}

function discardDraft(ctx) {
  ctx.draft?.photos.forEach((p) => URL.revokeObjectURL(p.url));
  ctx.draft = null;
}

/** Resolves with how the first attempt for `id` ended: sent, failed, or queued (will retry later). */
export async function sendNow(ctx, id, onProgress = () => {}) {
  let outcome = null;
  const unsubscribe = ctx.outbox.subscribe((event) => {
    if (event.id !== id || outcome) return;
    if (event.type === 'progress') onProgress(event);
    else if (event.type === 'sent') outcome = { type: 'sent', result: event.result };
    else if (event.type === 'failed') outcome = { type: 'failed', error: event.error };
    else if (event.type === 'retrying' || event.type === 'paused') outcome = { type: 'queued', error: event.error };
  });
  try {
    if (navigator.onLine) await ctx.outbox.wake(); // the citizen is here now: no back-off for this one
  } finally {
    unsubscribe();
  }
  return outcome || { type: 'queued' };
}

async function submit(ctx, draft, ui) {
  if (draft.sending) return;
  draft.sending = true;
  draft.error = null;
  ui.busy(ctx.t('send.saving'));
  persistStorage();
  const id = await ctx.outbox.add(recordData(draft, ctx.i18n.lang), { kind: 'report' });
  draft.recordId = id;
  if (draft.replaces) await ctx.outbox.discard(draft.replaces);
  draft.replaces = null;
  ui.busy(ctx.t('send.sending'));
  const outcome = await sendNow(ctx, id, (p) => ui.busy(p.step === 'photo'
    ? ctx.t('send.photo', { n: p.done + 1, total: p.total })
    : ctx.t('send.sending')));
  draft.sending = false;
  // The citizen left and started another report meanwhile: this one's result is in "Mis reportes".
  if (ctx.draft !== draft) return;
  if (outcome.type === 'failed') {
    // Keep what the failed attempt achieved (finished photo uploads); the failed record stays in
    // "Mis reportes" until this draft is sent again and replaces it.
    const record = await ctx.outbox.get(id);
    record?.data.photos.forEach((p, i) => { if (draft.photos[i]) draft.photos[i].upload = p.upload; });
    draft.replaces = id;
    draft.recordId = null;
    draft.error = outcome.error;
    if (outcome.error.code === 'outside_service_area') ctx.navigate('#/report/3');
    else ctx.render();
    return;
  }
  ctx.lastResult = { ...outcome, categoryName: draft.category.name };
  discardDraft(ctx);
  ctx.navigate('#/done', { replace: true });
}

/** Render step `n` (1-based) of the wizard into `view`. */
export function renderStep(view, ctx, n) {
  const { t } = ctx;
  if (!ctx.draft) {
    if (n !== 1) return ctx.navigate('#/', { replace: true });
    ctx.draft = newDraft();
  }
  const draft = ctx.draft;
  const firstInvalid = STEPS.findIndex((step, i) => i < n - 1 && step.validate(ctx, draft));
  if (firstInvalid >= 0) return ctx.navigate(`#/report/${firstInvalid + 1}`, { replace: true });

  const step = STEPS[n - 1];
  const last = n === STEPS.length;
  const body = h('div', { class: 'step-body' });
  const message = h('p', { class: 'error-text', role: 'alert', id: 'step-error', dataset: { testid: 'step-error' } });
  const status = h('p', { class: 'meta', role: 'status', id: 'send-status', dataset: { testid: 'send-status' } });
  // A refusal from the server is shown where it can be fixed: the map for "outside the city", else the end.
  const fixesIt = draft.error && (draft.error.code === 'outside_service_area' ? n === 3 : last);
  if (fixesIt) message.textContent = draft.error.detail || t('send.failedGeneric');

  const next = () => {
    const problem = step.validate(ctx, draft);
    if (problem) {
      if (!step.inlineProblems?.includes(problem)) {
        message.textContent = t(problem);
        message.scrollIntoView({ block: 'center' });
      }
      announce(t(problem));
      return;
    }
    if (last) submit(ctx, draft, ui);
    else ctx.navigate(`#/report/${n + 1}`);
  };
  const primary = h('button', {
    type: 'button',
    class: 'btn btn-primary',
    id: last ? 'send-report' : 'next',
    dataset: { testid: last ? 'send-report' : 'next' },
    onclick: next,
  }, last ? t('send.button') : t('wizard.next'));
  const ui = {
    busy(text) {
      primary.disabled = true;
      primary.setAttribute('aria-busy', 'true');
      primary.textContent = t('send.busy');
      status.textContent = text;
    },
  };

  mount(view,
    h('p', { class: 'step-count' }, t('wizard.step', { n, total: STEPS.length })),
    h('progress', { max: STEPS.length, value: n, 'aria-hidden': 'true' }),
    h('h1', {}, t(step.title)),
    message,
    body,
    status,
    h('div', { class: 'wizard-nav' },
      h('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'back' },
        onclick: () => (n === 1 ? ctx.navigate('#/') : history.back()) }, n === 1 ? t('wizard.cancel') : t('wizard.back')),
      primary));
  return step.render(body, ctx, draft, { next, showError: (text) => { message.textContent = text; } });
}
