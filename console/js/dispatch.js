/**
 * Dispatch for one incident: the server's recommended units (nearest available of fitting agencies,
 * fresh positions first) with one-click "Asignar" each or several at once, and the incident's
 * assignments with their status and a cancel action.
 */
import { h, mount, distance } from './dom.js';
import { ACTIVE_ASSIGNMENT } from './store.js';

const DISPATCHABLE = new Set(['new', 'triaged', 'dispatched', 'en_route', 'on_scene']);
let seq = 0;

/** The recommended units with "Asignar" (one click) and multi-select, for a dispatchable incident. */
export function renderRecommendations(root, incident, ctx, panel) {
  if (!ctx.canAct || !DISPATCHABLE.has(incident.status)) { mount(root); return; }
  // A live redraw keeps the previous list on screen until the new one arrives (no flicker).
  const recommendations = root.querySelector('.recommendations') || h('div', { class: 'recommendations' });
  mount(root,
    h('div', { class: 'section-head' },
      h('h3', {}, ctx.t('dispatch.title')),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => loadRecommendations() }, ctx.t('dispatch.refresh'))),
    recommendations);
  loadRecommendations();

  function assign(button, unitIds, names) {
    panel.run(button, () => ctx.api.post(`/api/v1/incidents/${encodeURIComponent(incident.id)}/assignments`, { unit_ids: unitIds }),
      ctx.t('done.assigned', { units: names.join(', ') }));
  }

  async function loadRecommendations() {
    if (!recommendations.firstChild) mount(recommendations, h('p', { class: 'meta' }, ctx.t('app.loading')));
    let list;
    try {
      list = await ctx.api.get(`/api/v1/incidents/${encodeURIComponent(incident.id)}/recommendations`);
    } catch (error) {
      mount(recommendations, h('p', { class: 'd-notice error' }, error.detail || ctx.t('error.generic')));
      return;
    }
    if (!list.length) { mount(recommendations, h('p', { class: 'meta' }, ctx.t('dispatch.none'))); return; }
    const chosen = new Map();
    const many = h('button', { type: 'button', class: 'btn btn-small btn-primary', disabled: true, 'data-testid': 'assign-selected',
      onclick: (event) => assign(event.currentTarget, [...chosen.keys()], [...chosen.values()]) }, ctx.t('dispatch.assignSelected', { n: 0 }));
    const update = () => {
      many.disabled = chosen.size === 0;
      many.textContent = ctx.t('dispatch.assignSelected', { n: chosen.size });
    };
    mount(recommendations,
      h('ul', { class: 'plain-list rec-list' }, list.map((r) => {
        const id = `rec-${++seq}`;
        const unit = r.unit;
        return h('li', { class: `recommendation${r.stale ? ' is-stale' : ''}`, 'data-testid': 'recommendation', dataset: { unitId: unit.id, callSign: unit.call_sign } },
          h('input', { type: 'checkbox', id, 'data-testid': 'select-unit', onchange: (event) => {
            if (event.target.checked) chosen.set(unit.id, unit.call_sign); else chosen.delete(unit.id);
            update();
          } }),
          h('label', { for: id, class: 'rec-main' },
            h('strong', { class: 'code' }, unit.call_sign),
            h('span', {}, ctx.label('agency', unit.agency), unit.kind ? ` · ${ctx.label('unit.kind', unit.kind)}` : '')),
          h('span', { class: 'rec-dist' }, distance(ctx.i18n, r.distance_m)),
          h('span', { class: 'rec-eta' }, r.eta_s != null ? ctx.t('dispatch.eta', { min: Math.max(1, Math.round(r.eta_s / 60)) }) : '—'),
          r.stale ? h('span', { class: 'stale-badge' }, ctx.t('unit.stale')) : null,
          h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'assign-unit',
            'aria-label': ctx.t('dispatch.assignUnit', { unit: unit.call_sign }),
            onclick: (event) => assign(event.currentTarget, [unit.id], [unit.call_sign]) }, ctx.t('dispatch.assign')));
      })),
      h('div', { class: 'actions-inline' }, many));
  }

}

/** The incident's assignments, newest first, with their times and a cancel action while active. */
export function renderAssignments(root, incident, ctx, panel) {
  const list = [...(incident.assignments || [])].sort((a, b) => Date.parse(b.assigned_at || 0) - Date.parse(a.assigned_at || 0));
  mount(root, h('section', { class: 'assignments', 'aria-labelledby': 'assignments-h' },
    h('h3', { id: 'assignments-h' }, ctx.t('dispatch.assignments')),
    list.length ? h('ul', { class: 'plain-list' }, list.map(assignmentRow)) : h('p', { class: 'meta' }, ctx.t('dispatch.noAssignments'))));

  function assignmentRow(a) {
    const times = [
      ['assigned_at', 'asg.assignedAt'], ['acknowledged_at', 'asg.acknowledgedAt'], ['en_route_at', 'asg.enRouteAt'],
      ['on_scene_at', 'asg.onSceneAt'], ['cleared_at', 'asg.clearedAt'],
    ].filter(([k]) => a[k]).map(([k, key]) => `${ctx.t(key)} ${ctx.i18n.formatDate(a[k], { timeStyle: 'short' })}`);
    const waiting = a.status === 'assigned' && a.ack_deadline;
    const slot = h('div', { class: 'asg-slot' });
    return h('li', { class: `assignment${a.escalated ? ' is-escalated' : ''}`, 'data-testid': 'assignment', dataset: { status: a.status, id: a.id } },
      h('div', { class: 'asg-line' },
        h('strong', { class: 'code' }, a.call_sign),
        h('span', { class: `status-badge a-${a.status}` }, ctx.label('asg.status', a.status)),
        a.escalated ? h('span', { class: 'flag flag-escalated' }, '⚑ ', ctx.t('queue.escalated')) : null,
        ctx.canAct && ACTIVE_ASSIGNMENT.has(a.status)
          ? h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-testid': 'cancel-assignment',
            'aria-label': ctx.t('dispatch.cancelAssignmentOf', { unit: a.call_sign }), onclick: () => cancelForm(a, slot) },
          ctx.t('dispatch.cancelAssignment'))
          : null),
      times.length ? h('p', { class: 'meta' }, times.join(' · ')) : null,
      waiting ? h('p', { class: 'meta' }, ctx.t('asg.ackBy', { time: ctx.i18n.formatDate(a.ack_deadline, { timeStyle: 'medium' }) })) : null,
      a.outcome ? h('p', { class: 'meta' }, ctx.label('outcome', a.outcome), a.notes ? ` — ${a.notes}` : '') : null,
      slot);
  }

  function cancelForm(a, slot) {
    const id = `cancel-reason-${++seq}`;
    const reason = h('input', { type: 'text', id, required: true, maxlength: 500 });
    mount(slot, h('form', { class: 'inline-form', onsubmit: (event) => {
      event.preventDefault();
      if (!reason.value.trim()) { reason.focus(); return; }
      panel.run(event.submitter, () => ctx.api.post(`/api/v1/assignments/${encodeURIComponent(a.id)}/cancel`, { reason: reason.value.trim() }),
        ctx.t('done.assignmentCancelled', { unit: a.call_sign }));
    } },
    h('label', { for: id }, ctx.t('dispatch.cancelReason')), reason,
    h('button', { type: 'submit', class: 'btn btn-small btn-danger', 'data-testid': 'cancel-assignment-submit' }, ctx.t('dispatch.confirmCancel')),
    h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => mount(slot) }, ctx.t('actions.back'))));
    reason.focus();
  }
}
