/**
 * The actions kept on the phone: waiting to be sent ("pendiente de envío") or refused by the server with
 * its reason. A refused action can only be dismissed: the server's state is what counts, and the card
 * already shows it again.
 */
import { h } from '/app/js/dom.js';
import { FAILED } from './actions.js';

function label(ctx, record) {
  const { kind, action, code, categoryName } = record.data;
  if (kind === 'incident') return `${ctx.t('pending.incident')}${categoryName ? ` — ${categoryName}` : ''}`;
  return `${ctx.t(`step.${action}`)}${code ? ` — ${code}` : ''}`;
}

export function renderPending(ctx, records) {
  if (!records.length) return null;
  const time = (ms) => ctx.i18n.formatDate(ms, { timeStyle: 'short' });
  return h('section', { class: 'card pending-list', dataset: { testid: 'pending-actions' }, 'aria-live': 'polite' },
    h('h2', {}, ctx.t('pending.title')),
    h('ul', {}, records.map((record) => {
      const failed = record.state === FAILED;
      return h('li', {
        class: failed ? 'is-failed' : 'is-pending',
        dataset: { testid: 'pending-action', state: record.state, action: record.data.action || record.data.kind },
      },
      h('div', { class: 'pending-label' }, h('strong', {}, label(ctx, record)), ' · ', time(record.createdAt)),
      failed
        ? h('p', { class: 'pending-error', dataset: { testid: 'pending-error' } },
          ctx.t('pending.failed', { detail: record.error?.detail || record.error?.code || '' }))
        : h('p', { class: 'pending-state' }, ctx.t('pending.pending')),
      failed && h('button', {
        type: 'button',
        class: 'btn btn-secondary',
        dataset: { testid: 'pending-dismiss' },
        onclick: () => ctx.actions.discard(record.id),
      }, ctx.t('pending.dismiss')));
    })));
}
