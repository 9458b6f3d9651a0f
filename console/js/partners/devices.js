/**
 * A partner's devices: how many are registered, and one form to register, update or deactivate one
 * (`PUT .../devices/{device_id}`). The API lists no devices one by one (only their number), so the admin types
 * the identifier and the details; an identifier that exists is updated, and unticking "Activo" deactivates it
 * (its alarms are refused from then on). The point must lie inside the city's service area: the server's
 * refusal shows under the form, which keeps what was typed.
 */
import { h } from '../dom.js';
import { parseLatLon } from '../locate.js';

const PHONE = /^[0-9+() .-]*$/;
const MAX_HEARTBEAT_MIN = 7 * 24 * 60; // the server's limit, 7 days

export function renderDevices(partner, ctx, { actions, open, onToggle, path }) {
  const id = (name) => `ap-${partner.id}-device-${name}`;
  const error = h('p', { class: 'ap-notice error', role: 'alert', 'data-testid': 'ap-device-error' });
  const input = (name, attrs = {}) => h('input', { id: id(name), autocomplete: 'off', 'data-testid': `ap-device-${name}`, ...attrs });
  const fields = {
    id: input('id', { maxlength: 64, required: true, spellcheck: 'false' }),
    name: input('name', { maxlength: 160, required: true }),
    coords: input('coords', { required: true, inputmode: 'decimal', 'aria-describedby': id('coords-hint') }),
    phone: input('phone', { type: 'tel', maxlength: 32 }),
    heartbeat: input('heartbeat', { type: 'number', min: 0, max: MAX_HEARTBEAT_MIN, step: 1, value: '0', inputmode: 'numeric' }),
    active: input('active', { type: 'checkbox', checked: true }),
  };
  const submit = h('button', { type: 'submit', class: 'btn btn-small btn-primary', 'data-testid': 'ap-device-submit' }, ctx.t('ap.devices.submit'));

  /** The request body, or null after saying what is wrong and moving the keyboard there. */
  function body() {
    const fail = (key, field) => { error.textContent = ctx.t(key); field.focus(); return null; };
    const deviceId = fields.id.value.trim();
    if (!deviceId || deviceId.length > 64) return fail('ap.devices.badId', fields.id);
    const name = fields.name.value.trim();
    if (!name) return fail('ap.devices.badName', fields.name);
    const location = parseLatLon(fields.coords.value);
    if (!location) return fail('ap.devices.badCoords', fields.coords);
    const phone = fields.phone.value.trim();
    if (!PHONE.test(phone)) return fail('ap.devices.badPhone', fields.phone);
    const minutes = Number(fields.heartbeat.value || 0);
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_HEARTBEAT_MIN) return fail('ap.devices.badHeartbeat', fields.heartbeat);
    return {
      deviceId,
      payload: { name, location, contact_phone: phone, heartbeat_interval_s: minutes * 60, active: fields.active.checked },
    };
  }

  const form = h('form', {
    novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      error.textContent = '';
      const request = body();
      if (!request) return;
      const { deviceId, payload } = request;
      actions.change(partner, () => ctx.api.request('PUT', `${path}/devices/${encodeURIComponent(deviceId)}`, { body: payload }).then((r) => r.data), {
        control: submit,
        errorSlot: error,
        focus: 'ap-device-id',
        // The server's words speak of a map pin; this form has coordinates.
        own: { outside_service_area: 'ap.devices.outside' },
        done: () => [payload.active ? 'ap.devices.saved' : 'ap.devices.deactivated', { id: deviceId }],
      });
    },
  },
  h('p', { class: 'meta' }, ctx.t('ap.devices.note')),
  h('div', { class: 'ap-grid' },
    h('div', {}, h('label', { for: id('id') }, ctx.t('ap.devices.id')), fields.id),
    h('div', {}, h('label', { for: id('name') }, ctx.t('ap.devices.name')), fields.name),
    h('div', {}, h('label', { for: id('coords') }, ctx.t('ap.devices.coords')), fields.coords,
      h('p', { id: id('coords-hint'), class: 'meta' }, ctx.t('ap.devices.coordsHint'))),
    h('div', {}, h('label', { for: id('phone') }, ctx.t('ap.devices.phone')), fields.phone),
    h('div', {}, h('label', { for: id('heartbeat') }, ctx.t('ap.devices.heartbeat')), fields.heartbeat)),
  h('div', { class: 'check' }, fields.active, h('label', { for: id('active') }, ctx.t('ap.devices.active'))),
  error,
  submit);

  return h('section', { class: 'ap-devices', 'aria-labelledby': id('title') },
    h('h4', { id: id('title') }, ctx.t('ap.devices.title')),
    h('p', { 'data-testid': 'ap-devices-count', dataset: { count: String(partner.devices) } }, ctx.t('ap.devices.count', { n: partner.devices })),
    h('details', { open, ontoggle: (event) => onToggle(event.currentTarget.open) },
      h('summary', { 'data-testid': 'ap-devices-open' }, ctx.t('ap.devices.open')),
      form));
}
