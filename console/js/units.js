/**
 * The units tab: every unit with its status, how old its last position is, its members, and
 * "Liberar emergencia" for a unit whose panic button is on. Selecting a unit centres the map on it.
 */
import { h, mount, ago } from './dom.js';

const ORDER = ['available', 'assigned', 'en_route', 'on_scene', 'out_of_service', 'off_duty'];

export function createUnitsPanel(root, countEl, ctx) {
  const list = h('ul', { class: 'unit-list', 'aria-labelledby': 'units-heading' });
  mount(root, list);

  function sorted() {
    const rank = (u) => (u.emergency ? -1 : ORDER.indexOf(u.status) + 1 || ORDER.length);
    return [...ctx.store.units.values()].sort((a, b) => rank(a) - rank(b) || a.call_sign.localeCompare(b.call_sign));
  }

  function positionText(unit) {
    if (!unit.location || !unit.position_at) return ctx.t('unit.noPosition');
    return ctx.t('unit.positionAge', { ago: ago(ctx.i18n, (ctx.store.serverNow() - Date.parse(unit.position_at)) / 1000) });
  }

  function row(unit) {
    const classes = ['unit-row', `u-${unit.status}`];
    if (unit.emergency) classes.push('is-emergency');
    if (unit.stale) classes.push('is-stale');
    return h('li', { class: classes.join(' '), 'data-testid': 'unit', dataset: { unitId: unit.id, callSign: unit.call_sign, status: unit.status } },
      h('div', { class: 'unit-line' },
        h('button', {
          type: 'button', class: 'unit-name code', disabled: !unit.location,
          'aria-label': ctx.t('unit.showOnMap', { unit: unit.call_sign }),
          onclick: () => ctx.onSelectUnit(unit.id),
        }, unit.call_sign),
        h('span', { class: `status-badge u-${unit.status}` }, ctx.label('unit.status', unit.status)),
        unit.emergency ? h('span', { class: 'flag flag-emergency' }, '⚠ ', ctx.t('unit.emergency')) : null,
        unit.stale ? h('span', { class: 'stale-badge' }, ctx.t('unit.stale')) : null),
      h('p', { class: 'meta' }, ctx.label('agency', unit.agency), unit.kind ? ` · ${ctx.label('unit.kind', unit.kind)}` : '',
        ' · ', h('span', { class: 'unit-pos' }, positionText(unit))),
      unit.members?.length ? h('p', { class: 'meta' }, unit.members.map((m) => m.full_name).join(', ')) : null,
      unit.emergency && ctx.canAct ? h('button', {
        type: 'button', class: 'btn btn-small btn-danger', 'data-testid': 'clear-emergency',
        onclick: (event) => clearEmergency(event.currentTarget, unit),
      }, ctx.t('unit.clearEmergency')) : null);
  }

  async function clearEmergency(button, unit) {
    button.disabled = true;
    try {
      const updated = await ctx.api.post(`/api/v1/units/${encodeURIComponent(unit.id)}/clear-emergency`, {});
      ctx.store.upsertUnit(updated || { ...unit, emergency: false });
      ctx.toast(ctx.t('done.emergencyCleared', { unit: unit.call_sign }));
    } catch (error) {
      button.disabled = false;
      ctx.toast(error.detail || ctx.t('error.generic'), 'error');
    }
  }

  function render() {
    const units = sorted();
    const focused = document.activeElement?.closest?.('.unit-row')?.dataset.unitId;
    list.replaceChildren(...units.map(row));
    if (focused) list.querySelector(`[data-unit-id="${CSS.escape(focused)}"] .unit-name`)?.focus({ preventScroll: true });
    const onDuty = units.filter((u) => u.status !== 'off_duty').length;
    countEl.textContent = String(onDuty);
  }

  /** Position ages drift: refresh their text every 15 s without rebuilding the list. */
  const timer = setInterval(() => {
    for (const li of list.children) {
      const unit = ctx.store.getUnit(li.dataset.unitId);
      if (unit) li.querySelector('.unit-pos').textContent = positionText(unit);
    }
  }, 15000);

  ctx.store.on('units', render);
  return { render, stop: () => clearInterval(timer) };
}
