/**
 * A partner's devices, listed (`GET .../devices`, 50 at a time, "Mostrar más" for the next page): each row
 * with its state, a button that deactivates or reactivates it (`PATCH .../devices/{id}` with `active` alone)
 * and "Editar", which opens a form under the row for its name, place, phone and heartbeat (only what changed
 * is sent). A change redraws the list alone, not the card, and the keyboard stays on the same control of the
 * same device; Escape or "Cancelar" closes the form and goes back to "Editar".
 *
 * The pages read are kept in `lists` (partner id → {items, nextAfter}, owned by view.js), so that redrawing
 * the card (after any other change to the partner, or a language switch) does not read them again.
 */
import { h, mount, announce } from '../dom.js';
import { errorText } from './api.js';
import { deviceFields, deviceFieldsGrid, readDeviceFields } from './device-fields.js';

const PAGE = 50;
// The view's own words for these codes say that the list is read again; this list does not do that.
const OWN = { alarm_partner_unknown: 'ap.devices.partnerGone' };

export function renderDeviceList(partner, ctx, { lists, path }) {
  const box = h('div', { class: 'ap-device-list', 'data-testid': 'ap-device-list' });
  const status = h('p', { class: 'ap-notice', role: 'status', tabindex: '-1', 'data-testid': 'ap-device-list-status' });
  let editing = null; // the device id whose form is open

  const say = (text, kind) => {
    status.className = `ap-notice ${kind}`;
    status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    status.textContent = text;
  };
  const rowOf = (deviceId) => [...box.querySelectorAll('[data-testid="ap-device"]')].find((r) => r.dataset.deviceId === deviceId);
  const focusIn = (deviceId, testid) => rowOf(deviceId)?.querySelector(`[data-testid="${testid}"]`)?.focus();
  const patch = (deviceId, body) => ctx.api.request('PATCH', `${path}/devices/${encodeURIComponent(deviceId)}`, { body }).then((r) => r.data);

  async function load({ more = false } = {}) {
    const entry = lists.get(partner.id);
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (more && entry?.nextAfter) params.set('after', entry.nextAfter);
    say(ctx.t('ap.devices.loading'), '');
    try {
      const page = await ctx.api.get(`${path}/devices?${params}`);
      const first = page.items[0]?.device_id;
      lists.set(partner.id, { items: more ? [...entry.items, ...page.items] : page.items, nextAfter: page.next_after });
      say('', '');
      draw();
      if (more && first) focusIn(first, 'ap-device-edit'); // the first of the page just added
    } catch (error) {
      say(errorText(ctx, error, { own: OWN }), 'error');
      const moreButton = box.querySelector('[data-testid="ap-devices-more"]');
      if (moreButton) moreButton.disabled = false; // to try again
    }
  }

  /** Replace one device with the server's answer, redraw, and say what happened. */
  function update(fresh, notice, focus) {
    const entry = lists.get(partner.id);
    entry.items = entry.items.map((d) => (d.device_id === fresh.device_id ? fresh : d));
    editing = null;
    draw();
    say(ctx.t(notice, { id: fresh.device_id }), 'ok');
    announce(ctx.t(notice, { id: fresh.device_id }));
    focusIn(fresh.device_id, focus);
  }

  async function toggle(device, button) {
    button.disabled = true;
    try {
      const fresh = await patch(device.device_id, { active: !device.active });
      update(fresh, fresh.active ? 'ap.devices.reactivated' : 'ap.devices.deactivated', 'ap-device-toggle');
    } catch (error) {
      say(errorText(ctx, error, { own: OWN }), 'error');
      button.disabled = false;
      button.focus();
    }
  }

  function row(device) {
    const toggleText = ctx.t(device.active ? 'ap.devices.deactivate' : 'ap.devices.reactivate');
    const state = [ctx.t(device.active ? 'ap.devices.isActive' : 'ap.devices.isInactive')];
    if (device.silent) state.push(ctx.t('ap.devices.silent'));
    return h('tr', {
      class: device.active ? '' : 'is-inactive',
      dataset: { testid: 'ap-device', deviceId: device.device_id, active: String(device.active) },
    },
    h('th', { scope: 'row', class: 'code' }, device.device_id),
    h('td', { 'data-testid': 'ap-device-row-name' }, device.name,
      device.contact_phone ? h('span', { class: 'meta' }, ` · ${device.contact_phone}`) : null),
    h('td', { 'data-testid': 'ap-device-state' }, state.join(' · ')),
    h('td', { class: 'ap-row-actions' },
      h('button', {
        type: 'button', class: 'btn btn-small', 'data-testid': 'ap-device-edit', 'aria-expanded': String(editing === device.device_id),
        'aria-label': ctx.t('ap.devices.editOf', { id: device.device_id }),
        onclick: () => {
          editing = editing === device.device_id ? null : device.device_id;
          draw();
          if (editing) box.querySelector('[data-testid="ap-device-edit-name"]').focus(); // one form at a time
          else focusIn(device.device_id, 'ap-device-edit');
        },
      }, ctx.t('ap.devices.edit')),
      h('button', {
        type: 'button', class: `btn btn-small${device.active ? ' btn-danger' : ''}`, 'data-testid': 'ap-device-toggle',
        'aria-label': ctx.t('ap.devices.toggleOf', { action: toggleText, id: device.device_id }),
        onclick: (event) => toggle(device, event.currentTarget),
      }, toggleText)));
  }

  function editRow(device) {
    const id = (name) => `ap-${partner.id}-dev-${device.id}-${name}`;
    const fields = deviceFields(ctx, id, 'ap-device-edit', device);
    const before = readDeviceFields(fields).payload || {};
    const error = h('p', { class: 'ap-notice error', role: 'alert', 'data-testid': 'ap-device-edit-error' });
    const save = h('button', { type: 'submit', class: 'btn btn-small btn-primary', 'data-testid': 'ap-device-edit-save' }, ctx.t('ap.devices.save'));
    const close = () => { editing = null; draw(); focusIn(device.device_id, 'ap-device-edit'); };
    const form = h('form', {
      novalidate: true, 'aria-label': ctx.t('ap.devices.editOf', { id: device.device_id }),
      onkeydown: (event) => { if (event.key === 'Escape') { event.preventDefault(); close(); } },
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = '';
        const read = readDeviceFields(fields);
        if (read.error) { error.textContent = ctx.t(read.error); read.field.focus(); return; }
        const changed = Object.fromEntries(Object.entries(read.payload)
          .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])));
        if (!Object.keys(changed).length) { close(); return; }
        save.disabled = true;
        try {
          update(await patch(device.device_id, changed), 'ap.devices.saved', 'ap-device-edit');
        } catch (err) {
          error.textContent = errorText(ctx, err, { own: OWN });
          save.disabled = false;
          save.focus();
        }
      },
    },
    deviceFieldsGrid(ctx, id, fields),
    error,
    h('div', { class: 'ap-row-actions' }, save,
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ap-device-edit-cancel', onclick: close }, ctx.t('ap.keys.cancel'))));
    return h('tr', { class: 'ap-device-form', 'data-testid': 'ap-device-form' }, h('td', { colspan: '4' }, form));
  }

  function draw() {
    const entry = lists.get(partner.id);
    if (!entry) return;
    const titleId = `ap-${partner.id}-devices-list`;
    mount(box,
      entry.items.length
        ? h('table', { class: 'ap-table', 'aria-labelledby': titleId },
          h('caption', { id: titleId, class: 'visually-hidden' }, ctx.t('ap.devices.listOf', { name: partner.name })),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, ctx.t('ap.devices.id')),
            h('th', { scope: 'col' }, ctx.t('ap.devices.name')),
            h('th', { scope: 'col' }, ctx.t('ap.keys.status')),
            h('td', {}))),
          h('tbody', {}, entry.items.flatMap((d) => (editing === d.device_id ? [row(d), editRow(d)] : [row(d)]))))
        : h('p', { class: 'meta' }, ctx.t('ap.devices.none')),
      entry.nextAfter
        ? h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ap-devices-more', onclick: (event) => { event.currentTarget.disabled = true; load({ more: true }); } },
          ctx.t('ap.devices.more'))
        : null);
  }

  if (lists.has(partner.id)) draw();
  else load();
  return h('div', {}, status, box);
}
