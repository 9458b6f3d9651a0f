/**
 * The blocking alert for a unit's panic button: a modal dialog (nothing else can be clicked, Escape does
 * not close it) with the unit's call sign, members and last position, and "Atender", which centres the
 * map on the unit. Several emergencies stack in the same dialog; the alarm sounds until each is attended.
 */
import { h, mount, ago, announce } from './dom.js';
import { alarm } from './sound.js';

const ALARM_EVERY_MS = 6000;

export function createEmergencyAlert(dialog, ctx) {
  const pending = new Map(); // unit id -> UnitRead
  const body = dialog.querySelector('.emergency-list');
  let timer = null;

  dialog.addEventListener('cancel', (event) => event.preventDefault());

  function positionText(unit) {
    if (!unit.location) return ctx.t('unit.noPosition');
    const age = unit.position_at ? ago(ctx.i18n, (ctx.store.serverNow() - Date.parse(unit.position_at)) / 1000) : '';
    return ctx.t('emergency.position', { lat: unit.location.lat.toFixed(5), lon: unit.location.lon.toFixed(5), ago: age });
  }

  function render() {
    mount(body, [...pending.values()].map((unit) => h('li', { class: 'emergency-item', dataset: { unitId: unit.id } },
      h('p', { class: 'emergency-unit' }, h('strong', { class: 'code', 'data-testid': 'emergency-call-sign' }, unit.call_sign),
        ` · ${ctx.label('agency', unit.agency)}`),
      unit.members?.length ? h('p', {}, unit.members.map((m) => m.full_name).join(', ')) : null,
      h('p', { 'data-testid': 'emergency-position' }, positionText(unit)),
      h('button', { type: 'button', class: 'btn btn-emergency', 'data-testid': 'emergency-attend', onclick: () => attend(unit.id) },
        ctx.t('emergency.attend')))));
  }

  function attend(id, { center = true } = {}) {
    const unit = pending.get(id);
    pending.delete(id);
    if (center && unit?.location) ctx.map?.centerOn(unit.location.lat, unit.location.lon, 17);
    if (center) ctx.onSelectUnit?.(id, { center: false });
    if (pending.size) { render(); body.querySelector('button')?.focus(); return; }
    clearInterval(timer);
    timer = null;
    dialog.close();
  }

  /** A `unit.emergency` message (or a unit found in emergency at start-up). */
  function raise(unit) {
    const known = pending.has(unit.id);
    pending.set(unit.id, unit);
    render();
    if (!dialog.open) dialog.showModal();
    body.querySelector('button')?.focus();
    if (!known) {
      announce(ctx.t('emergency.announce', { unit: unit.call_sign }), { assertive: true });
      alarm();
    }
    timer ||= setInterval(alarm, ALARM_EVERY_MS);
  }

  /** Keep positions current while the alert is open; a cleared emergency leaves the list. */
  function update(unit) {
    if (!pending.has(unit.id)) return;
    if (!unit.emergency) { attend(unit.id, { center: false }); return; }
    pending.set(unit.id, unit);
    render();
  }

  return { raise, update, rerender: () => { if (pending.size) render(); } };
}
