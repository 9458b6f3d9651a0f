/**
 * A device's details as both device forms ask for them (registering one, editing one from the list): name or
 * place, coordinates, contact phone, heartbeat interval in minutes; checked here with the server's limits, so
 * what the server refuses is only what needs the city's data (the point outside its area).
 */
import { h } from '../dom.js';
import { parseLatLon } from '../locate.js';

const PHONE = /^[0-9+() .-]*$/;
const MAX_HEARTBEAT_MIN = 7 * 24 * 60; // the server's limit, 7 days

/** The four inputs, filled with `device` (a DeviceRead) when given; `id(name)` gives each input's id. */
export function deviceFields(ctx, id, testid, device = null) {
  const input = (name, attrs = {}) => h('input', { id: id(name), autocomplete: 'off', 'data-testid': `${testid}-${name}`, ...attrs });
  return {
    name: input('name', { maxlength: 160, required: true, value: device?.name }),
    coords: input('coords', {
      required: true, inputmode: 'decimal', 'aria-describedby': id('coords-hint'),
      value: device ? `${device.location.lat}, ${device.location.lon}` : null,
    }),
    phone: input('phone', { type: 'tel', maxlength: 32, value: device?.contact_phone }),
    heartbeat: input('heartbeat', {
      type: 'number', min: 0, max: MAX_HEARTBEAT_MIN, step: 1, inputmode: 'numeric',
      value: String(device ? Math.round(device.heartbeat_interval_s / 60) : 0),
    }),
  };
}

/** The labelled inputs, in a grid. */
export function deviceFieldsGrid(ctx, id, fields) {
  return h('div', { class: 'ap-grid' },
    h('div', {}, h('label', { for: id('name') }, ctx.t('ap.devices.name')), fields.name),
    h('div', {}, h('label', { for: id('coords') }, ctx.t('ap.devices.coords')), fields.coords,
      h('p', { id: id('coords-hint'), class: 'meta' }, ctx.t('ap.devices.coordsHint'))),
    h('div', {}, h('label', { for: id('phone') }, ctx.t('ap.devices.phone')), fields.phone),
    h('div', {}, h('label', { for: id('heartbeat') }, ctx.t('ap.devices.heartbeat')), fields.heartbeat));
}

/**
 * `{ payload }` (name, location, contact_phone, heartbeat_interval_s), or `{ error, field }`: the message's key
 * and the input to move the keyboard to.
 */
export function readDeviceFields(fields) {
  const name = fields.name.value.trim();
  if (!name) return { error: 'ap.devices.badName', field: fields.name };
  const location = parseLatLon(fields.coords.value);
  if (!location) return { error: 'ap.devices.badCoords', field: fields.coords };
  const phone = fields.phone.value.trim();
  if (!PHONE.test(phone)) return { error: 'ap.devices.badPhone', field: fields.phone };
  const minutes = Number(fields.heartbeat.value || 0);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_HEARTBEAT_MIN) {
    return { error: 'ap.devices.badHeartbeat', field: fields.heartbeat };
  }
  return { payload: { name, location, contact_phone: phone, heartbeat_interval_s: minutes * 60 } };
}
