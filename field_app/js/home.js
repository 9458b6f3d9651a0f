/**
 * The main screen: duty, the current assignment card (others below it), "Nuevo incidente" and the actions
 * waiting on the phone. Re-rendered whenever the assignments, the outbox or the duty state change.
 */
import { h, mount } from '/app/js/dom.js';
import { project, RESULT_STATUS } from './actions.js';
import { renderCard, priorityOf } from './card.js';
import { renderPending } from './pending.js';
import { pruneMaps } from './mini-map.js';

const FINISHED = new Set([RESULT_STATUS.clear, RESULT_STATUS.decline]);

/** Active first (those with a next step), then by priority; the server's order (newest) otherwise. */
function ordered(list) {
  return list
    .map((a, index) => ({ a, index }))
    .sort((x, y) => (FINISHED.has(x.a.shownStatus) - FINISHED.has(y.a.shownStatus))
      || (priorityOf(x.a.incident?.priority) - priorityOf(y.a.incident?.priority))
      || (x.index - y.index))
    .map(({ a }) => a);
}

export function renderHome(view, ctx) {
  const { t, duty } = ctx;
  let message = '';
  let busy = false;

  async function changeDuty(on) {
    if (busy) return;
    busy = true;
    message = '';
    draw();
    try {
      if (on) {
        ctx.unlockSound();
        await duty.start();
        ctx.registerPush(true);
        ctx.assignments.refresh();
      } else {
        await duty.stop();
      }
    } catch (error) {
      message = error.status ? t('duty.error', { detail: error.detail || error.code }) : t('duty.offline');
    } finally {
      busy = false;
      draw();
    }
  }

  async function onStep(assignment, action) {
    if (action === 'clear') return ctx.navigate(`#/close/${assignment.id}`);
    if (busy) return; // a double tap with gloves must not queue the step twice
    busy = true;
    try {
      await ctx.actions.step(assignment, action);
      duty.sendNow();
    } finally {
      busy = false;
    }
  }

  function draw() {
    const user = ctx.session.user;
    const unitName = duty.unit?.call_sign || user?.unit?.call_sign;
    const shown = ordered(ctx.assignments.list.map((a) => project(a, ctx.actions.records)));
    pruneMaps(shown.map((a) => a.id));
    const current = shown.find((a) => String(a.id) === String(ctx.selectedId)) || shown[0];
    const others = shown.filter((a) => a !== current);

    mount(view,
      h('section', { class: `duty-bar ${duty.on ? 'is-on' : 'is-off'}`, dataset: { testid: 'duty-state', on: String(duty.on) } },
        h('h1', {}, duty.on ? t('duty.onDuty') : t('duty.offDuty')),
        h('p', { class: 'meta' }, [user?.full_name, unitName ? t('duty.unit', { unit: unitName }) : t('duty.noUnit')]
          .filter(Boolean).join(' · '))),
      message && h('p', { class: 'alert-error', role: 'alert', dataset: { testid: 'duty-error' } }, message),
      !duty.on && h('button', {
        type: 'button', class: 'btn btn-primary btn-huge', disabled: busy,
        dataset: { testid: 'duty-on' }, onclick: () => changeDuty(true),
      }, t('duty.on')),
      current
        ? renderCard(ctx, current, { onStep })
        : h('p', { class: 'empty card', dataset: { testid: 'no-assignment' } }, duty.on ? t('assignment.none') : t('assignment.offDuty')),
      others.length > 0 && h('section', { class: 'others' },
        h('h2', {}, t('assignment.others')),
        others.map((a) => h('button', {
          type: 'button', class: `btn btn-secondary btn-block prio-${priorityOf(a.incident?.priority)}`,
          dataset: { testid: 'other-assignment', code: a.incident?.code || '' },
          onclick: () => { ctx.selectedId = a.id; draw(); scrollTo(0, 0); },
        }, `P${priorityOf(a.incident?.priority)} · ${a.incident?.code || ''} · ${a.incident?.category?.name || ''} · ${t(`status.${a.shownStatus}`)}`))),
      duty.on && h('button', {
        type: 'button', class: 'btn btn-secondary btn-block',
        dataset: { testid: 'new-incident' }, onclick: () => ctx.navigate('#/new'),
      }, t('incident.new')),
      renderPending(ctx, ctx.actions.records),
      ctx.assignments.readAt && h('p', { class: 'meta read-at' },
        t('assignment.readAt', { time: ctx.i18n.formatDate(ctx.assignments.readAt, { timeStyle: 'short' }) })),
      duty.on && h('button', {
        type: 'button', class: 'btn btn-outline btn-block duty-off', disabled: busy,
        dataset: { testid: 'duty-off' }, onclick: () => changeDuty(false),
      }, t('duty.off')));
  }

  const stops = [
    ctx.assignments.onChange(draw),
    ctx.actions.onChange(draw),
    duty.onChange(draw),
  ];
  draw();
  return () => stops.forEach((stop) => stop());
}
