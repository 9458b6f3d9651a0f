/**
 * The assignment card: what, where, how urgent, who to call, the map, "Navegar", and ONE big button for
 * the next step (Confirmar → En camino → En el lugar → Cerrar caso), plus "Rechazar" while only assigned.
 * The card shows the projected status (queued actions applied) and says when something waits to be sent.
 */
import { h } from '/app/js/dom.js';
import { NEXT_ACTION } from './actions.js';
import { mapElement, navigationUrl } from './mini-map.js';

export const priorityOf = (value) => Number(String(value ?? 3).replace(/^P/i, '')) || 3;

function photoUrls(photo) {
  if (typeof photo === 'string') return { url: photo, thumb: photo };
  return { url: photo.url || photo.thumb_url, thumb: photo.thumb_url || photo.url };
}

/** `onStep(assignment, action)` is called for the next step and for 'decline'. */
export function renderCard(ctx, assignment, { onStep }) {
  const { t } = ctx;
  const incident = assignment.incident || {};
  const status = assignment.shownStatus;
  const priority = priorityOf(incident.priority);
  const next = NEXT_ACTION[status];
  const location = incident.location;
  const phone = incident.callback_phone;

  return h('article', {
    class: `card assignment prio-${priority}${assignment.pending ? ' is-pending' : ''}`,
    'aria-labelledby': `assignment-${assignment.id}-title`,
    dataset: { testid: 'assignment-card', status, code: incident.code || '' },
  },
  h('div', { class: 'card-head' },
    h('span', { class: `prio-badge prio-${priority}`, title: t('assignment.priority', { n: priority }) }, `P${priority}`),
    h('span', { class: 'code' }, incident.code || ''),
    h('span', { class: 'status-badge', dataset: { testid: 'assignment-status' } }, t(`status.${status}`))),
  h('h2', { id: `assignment-${assignment.id}-title` }, incident.category?.name || incident.category?.code || ''),
  assignment.pending && h('p', { class: 'pending-badge', dataset: { testid: 'card-pending' } }, t('assignment.pending')),
  incident.address_hint && h('p', { class: 'address' }, incident.address_hint),
  // The next step comes first, where a gloved thumb finds it without scrolling.
  next && h('button', {
    type: 'button',
    class: `btn btn-step step-${next}`,
    dataset: { testid: 'step-button', action: next },
    onclick: () => onStep(assignment, next),
  }, t(`step.${next}`)),
  incident.description && h('p', { class: 'description' }, incident.description),
  incident.photos?.length > 0 && h('div', { class: 'photos', role: 'group', 'aria-label': t('assignment.photos') },
    incident.photos.map(photoUrls).map(({ url, thumb }) =>
      h('a', { href: url, target: '_blank', rel: 'noopener' }, h('img', { src: thumb, alt: '', loading: 'lazy' })))),
  phone && h('a', { class: 'btn btn-secondary btn-block', href: `tel:${phone}`, dataset: { testid: 'callback-phone' } },
    t('assignment.callback', { phone })),
  location && mapElement(assignment, { label: t('assignment.map'), fix: ctx.duty.fix }),
  location && h('a', {
    class: 'btn btn-secondary btn-block',
    href: navigationUrl(location),
    // geo: hands over to the phone's map app; a web page opens beside the field app.
    target: navigationUrl(location).startsWith('http') ? '_blank' : null,
    rel: 'noopener',
    dataset: { testid: 'navigate' },
  }, t('assignment.navigate')),
  // Declining sits at the bottom, away from the next-step button.
  (status === 'assigned' || status === 'proposed') && h('button', {
    type: 'button',
    class: 'btn btn-outline-danger btn-block decline',
    dataset: { testid: 'decline', action: 'decline' },
    onclick: () => onStep(assignment, 'decline'),
  }, t('step.decline')));
}
