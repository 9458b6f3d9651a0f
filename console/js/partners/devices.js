/**
 * A partner's devices: how many are registered; their list (device-list.js: deactivate, reactivate or edit
 * one), read when it is first opened; and a form to register one (`PUT .../devices/{device_id}`: an identifier
 * that exists is updated). The point must lie inside the city's service area: the server's refusal (its own
 * words, naming the point and the city) shows under the form, which keeps what was typed. Which of the two panels is open is kept by view.js across redraws.
 */
import { h } from '../dom.js';
import { renderDeviceList } from './device-list.js';
import { deviceFields, deviceFieldsGrid, readDeviceFields } from './device-fields.js';

export function renderDevices(partner, ctx, { actions, devices, path }) {
  const { open, onToggle, lists } = devices;
  const listSlot = h('div', {});
  const showList = () => { if (!listSlot.hasChildNodes()) listSlot.append(renderDeviceList(partner, ctx, { lists, path })); };
  if (open.has('list')) showList();

  return h('section', { class: 'ap-devices', 'aria-labelledby': `ap-${partner.id}-device-title` },
    h('h4', { id: `ap-${partner.id}-device-title` }, ctx.t('ap.devices.title')),
    h('p', { 'data-testid': 'ap-devices-count', dataset: { count: String(partner.devices) } }, ctx.t('ap.devices.count', { n: partner.devices })),
    partner.devices
      ? h('details', {
        open: open.has('list'),
        ontoggle: (event) => {
          onToggle('list', event.currentTarget.open);
          if (event.currentTarget.open) showList();
        },
      },
      h('summary', { 'data-testid': 'ap-devices-list-open' }, ctx.t('ap.devices.list')),
      listSlot)
      : null,
    h('details', { open: open.has('form'), ontoggle: (event) => onToggle('form', event.currentTarget.open) },
      h('summary', { 'data-testid': 'ap-devices-open' }, ctx.t('ap.devices.open')),
      registerForm(partner, ctx, { actions, lists, path })));
}

function registerForm(partner, ctx, { actions, lists, path }) {
  const id = (name) => `ap-${partner.id}-device-${name}`;
  const error = h('p', { class: 'ap-notice error', role: 'alert', 'data-testid': 'ap-device-error' });
  const deviceId = h('input', { id: id('id'), autocomplete: 'off', maxlength: 64, required: true, spellcheck: 'false', 'data-testid': 'ap-device-id' });
  const fields = deviceFields(ctx, id, 'ap-device');
  const active = h('input', { id: id('active'), type: 'checkbox', checked: true, 'data-testid': 'ap-device-active' });
  const submit = h('button', { type: 'submit', class: 'btn btn-small btn-primary', 'data-testid': 'ap-device-submit' }, ctx.t('ap.devices.submit'));

  return h('form', {
    novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      error.textContent = '';
      const fail = (key, field) => { error.textContent = ctx.t(key); field.focus(); };
      const name = deviceId.value.trim();
      if (!name || name.length > 64) return fail('ap.devices.badId', deviceId);
      const read = readDeviceFields(fields);
      if (read.error) return fail(read.error, read.field);
      const payload = { ...read.payload, active: active.checked };
      return actions.change(partner, () => ctx.api.request('PUT', `${path}/devices/${encodeURIComponent(name)}`, { body: payload }).then((r) => r.data), {
        control: submit,
        errorSlot: error,
        focus: 'ap-device-id',
        done: () => {
          lists.delete(partner.id); // the list is read again, with this device in it
          return [payload.active ? 'ap.devices.saved' : 'ap.devices.deactivated', { id: name }];
        },
      });
    },
  },
  h('p', { class: 'meta' }, ctx.t('ap.devices.note')),
  h('div', { class: 'ap-grid' }, h('div', {}, h('label', { for: id('id') }, ctx.t('ap.devices.id')), deviceId)),
  deviceFieldsGrid(ctx, id, fields),
  h('div', { class: 'check' }, active, h('label', { for: id('active') }, ctx.t('ap.devices.active'))),
  error,
  submit);
}
