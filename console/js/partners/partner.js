/**
 * One partner's card: name, number (the partner signs its alarms with it), kind, callback URL, active or not;
 * the key just issued, shown once (secret.js); its API keys (fingerprints only, revoke with an inline
 * confirmation, issue a second key for rotation); its devices (devices.js: list, change, register).
 *
 * Every change goes through `actions.change(partner, send, options)` (view.js), which redraws the card from
 * the server's answer and puts the keyboard back on the control named by `focus`.
 */
import { h } from '../dom.js';
import { renderSecret } from './secret.js';
import { renderDevices } from './devices.js';
import { PARTNERS } from './api.js';
const MAX_VALID_KEYS = 2; // the server's rule (partners.py): a second key for rotation, no third

export function renderPartner(partner, ctx, { actions, secret, notice, devices }) {
  const path = `${PARTNERS}/${partner.id}`;
  const titleId = `ap-${partner.id}-title`;
  const send = (method, url, body) => () => ctx.api.request(method, url, { body }).then((r) => r.data);
  const toggleText = ctx.t(partner.active ? 'ap.partner.deactivate' : 'ap.partner.activate');
  const toggle = h('button', {
    type: 'button', class: `btn btn-small${partner.active ? ' btn-danger' : ''}`, 'data-testid': 'ap-partner-toggle',
    'aria-label': ctx.t('ap.partner.toggleOf', { action: toggleText, name: partner.name }),
    onclick: (event) => actions.change(partner, send('PATCH', path, { active: !partner.active }), {
      control: event.currentTarget,
      focus: 'ap-partner-toggle',
      done: (fresh) => [fresh.active ? 'ap.partner.activated' : 'ap.partner.deactivated', { name: fresh.name }],
    }),
  }, toggleText);

  return h('article', {
    class: `ap-card ap-partner${partner.active ? '' : ' is-inactive'}`, 'aria-labelledby': titleId,
    dataset: { testid: 'ap-partner', id: String(partner.id), name: partner.name, active: String(partner.active) },
  },
  h('div', { class: 'ap-partner-head' },
    h('h3', { id: titleId, tabindex: '-1', 'data-testid': 'ap-partner-title' }, partner.name),
    h('span', { class: `ap-badge ${partner.active ? 'is-active' : 'is-inactive'}`, 'data-testid': 'ap-partner-status' },
      ctx.t(partner.active ? 'ap.partner.active' : 'ap.partner.inactive')),
    toggle),
  h('p', { class: 'meta' },
    ctx.t('ap.partner.id', { id: partner.id }), ' · ', ctx.t(`ap.kind.${partner.kind}`), ' · ',
    partner.callback_url ? ctx.t('ap.partner.callback', { url: partner.callback_url }) : ctx.t('ap.partner.noCallback')),
  h('p', {
    class: `ap-notice ${notice?.kind || ''}`, role: notice?.kind === 'error' ? 'alert' : 'status', tabindex: '-1',
    'data-testid': 'ap-partner-notice',
  }, notice?.key ? ctx.t(notice.key, notice.params) : (notice?.text || '')),
  editForm(partner, ctx, { actions, path }),
  secret ? renderSecret(secret, partner, ctx, { onDismiss: () => actions.hideSecret(partner.id) }) : null,
  h('div', { class: 'ap-columns' },
    keysSection(partner, ctx, { actions, path, send }),
    renderDevices(partner, ctx, { actions, devices, path })));
}

function editForm(partner, ctx, { actions, path }) {
  const id = (name) => `ap-${partner.id}-edit-${name}`;
  const error = h('p', { class: 'ap-notice error', role: 'alert', 'data-testid': 'ap-edit-error' });
  const name = h('input', { id: id('name'), value: partner.name, maxlength: 120, required: true, 'data-testid': 'ap-edit-name' });
  const callback = h('input', {
    id: id('callback'), type: 'url', value: partner.callback_url, maxlength: 500, spellcheck: 'false',
    'data-testid': 'ap-edit-callback',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-small btn-primary', 'data-testid': 'ap-edit-save' }, ctx.t('ap.partner.save'));
  return h('details', { class: 'ap-edit' },
    h('summary', { 'data-testid': 'ap-edit-summary' }, ctx.t('ap.partner.edit')),
    h('form', {
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        error.textContent = '';
        const body = { name: name.value.trim(), callback_url: callback.value.trim() };
        if (!body.name) { error.textContent = ctx.t('ap.new.missingName'); name.focus(); return; }
        if (body.callback_url && !/^https?:\/\/\S+$/i.test(body.callback_url)) {
          error.textContent = ctx.t('ap.new.badUrl');
          callback.focus();
          return;
        }
        actions.change(partner, () => ctx.api.request('PATCH', path, { body }).then((r) => r.data), {
          control: submit, errorSlot: error, focus: 'ap-edit-summary',
          done: (fresh) => ['ap.partner.saved', { name: fresh.name }],
        });
      },
    },
    h('label', { for: id('name') }, ctx.t('ap.field.name')), name,
    h('label', { for: id('callback') }, ctx.t('ap.field.callback')), callback,
    error,
    submit));
}

function keysSection(partner, ctx, { actions, path, send }) {
  const titleId = `ap-${partner.id}-keys-title`;
  const validKeys = partner.keys.filter((k) => k.valid).length;

  function revokeCell(key) {
    const cell = h('td', {});
    const revoke = h('button', {
      type: 'button', class: 'btn btn-small', 'data-testid': 'ap-key-revoke',
      'aria-label': ctx.t('ap.keys.revokeOf', { fingerprint: key.fingerprint }),
      onclick: () => {
        const questionId = `ap-key-${key.id}-question`;
        const cancel = h('button', {
          type: 'button', class: 'btn btn-small', 'data-testid': 'ap-key-revoke-cancel',
          onclick: () => { cell.replaceChildren(revoke); revoke.focus(); },
        }, ctx.t('ap.keys.cancel'));
        const confirm = h('button', {
          type: 'button', class: 'btn btn-small btn-danger', 'data-testid': 'ap-key-revoke-confirm',
          onclick: (event) => actions.change(partner, send('DELETE', `${path}/keys/${key.id}`), {
            control: event.currentTarget,
            focus: 'ap-issue-key',
            done: () => ['ap.keys.revokedDone', { fingerprint: key.fingerprint }],
          }),
        }, ctx.t('ap.keys.confirmYes'));
        // The question names the group, so a screen reader hears it with the button the keyboard lands on.
        cell.replaceChildren(h('div', { class: 'ap-confirm', role: 'group', 'aria-labelledby': questionId },
          h('p', { id: questionId }, ctx.t(validKeys > 1 ? 'ap.keys.confirm' : 'ap.keys.confirmLast', { fingerprint: key.fingerprint })),
          confirm, cancel));
        cancel.focus(); // the harmless choice first: revoking cannot be undone
      },
    }, ctx.t('ap.keys.revoke'));
    if (key.valid) cell.append(revoke);
    return cell;
  }

  const keyRow = (key) => h('tr', { dataset: { testid: 'ap-key', id: String(key.id), valid: String(key.valid) } },
    h('td', { class: 'code', 'data-testid': 'ap-key-fingerprint' }, key.fingerprint),
    h('td', { 'data-testid': 'ap-key-status' }, ctx.t(key.valid ? 'ap.keys.valid' : 'ap.keys.revoked')),
    revokeCell(key));

  return h('section', { class: 'ap-keys', 'aria-labelledby': titleId },
    h('h4', { id: titleId }, ctx.t('ap.keys.title')),
    partner.keys.length
      ? h('table', { class: 'ap-table', 'aria-labelledby': titleId },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, ctx.t('ap.keys.fingerprint')),
          h('th', { scope: 'col' }, ctx.t('ap.keys.status')),
          h('td', {}))),
        h('tbody', {}, partner.keys.map(keyRow)))
      : h('p', { class: 'meta' }, ctx.t('ap.keys.none')),
    h('p', { class: 'meta', id: `ap-${partner.id}-keys-hint` },
      ctx.t(validKeys >= MAX_VALID_KEYS ? 'ap.keys.twoValid' : 'ap.keys.rotationHint')),
    h('button', {
      type: 'button', class: 'btn btn-small', 'data-testid': 'ap-issue-key', 'aria-describedby': `ap-${partner.id}-keys-hint`,
      onclick: (event) => actions.change(partner, send('POST', `${path}/keys`), {
        control: event.currentTarget,
        done: (fresh) => ['ap.keys.issued', { name: fresh.name }],
      }),
    }, ctx.t('ap.keys.issue')));
}
