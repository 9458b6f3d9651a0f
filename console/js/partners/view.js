/**
 * The alarm partners view, for admins: the companies and devices that send silent alarms
 * (`/api/v1/alarms/partners`, the console's counterpart of `sereno alarms ...`; the server keeps every change
 * within the admin's city and in the audit trail). Register a partner (which issues its first key), rename it
 * or change its callback URL, deactivate or reactivate it, issue a second key and revoke keys; list its devices,
 * deactivate, reactivate or edit one, and register new ones.
 *
 * A new key is shown once, in the answer that issued it: this view keeps it in memory only (never in storage)
 * until the admin hides it, signs out or reloads; the list shows only fingerprints.
 *
 * Loaded on first use; the markup's frame is static in index.html (`#partners`), this module fills it.
 */
import { h, mount, announce, loadStylesheet } from '../dom.js';
import { renderPartner } from './partner.js';
import { PARTNERS, errorText } from './api.js';
const STYLESHEET = '/console/partners.css';

/** `root` is `#partners`; `ctx` the console's (t, i18n, api = the session, toast). */
export function createPartnersView(root, ctx) {
  const $ = (id) => root.querySelector(`#${id}`);
  let partners = [];
  let secret = null; // {partnerId, keyId, key}: the key just issued, until the admin hides it
  // partner id → the outcome of the last action on it: {kind, key, params} (drawn in the language of the
  // moment) or {kind, text} (the server's words)
  const notices = new Map();
  // partner id → the device panels open on its card ('list', 'form'): they stay open across redraws (the form
  // for the next device)
  const devicesOpen = new Map();
  const deviceLists = new Map(); // partner id → the pages of its devices read so far (see device-list.js)
  let seq = 0;
  let initialised = false;

  function message(text, kind = '') {
    const el = $('ap-message');
    el.className = `ap-message ${kind}`;
    el.textContent = text;
  }

  async function load() {
    const mine = ++seq;
    root.dataset.state = 'loading';
    try {
      const list = await ctx.api.get(`${PARTNERS}/`);
      if (mine !== seq) return;
      partners = list;
      deviceLists.clear(); // read again when shown: another admin may have changed them
      render();
      root.dataset.state = 'ready';
      if ($('ap-message').classList.contains('error')) message('');
    } catch (error) {
      if (mine !== seq) return;
      root.dataset.state = 'error';
      if (error.status !== 401) message(errorText(ctx, error), 'error');
    }
  }

  const actions = {
    /**
     * One change to a partner; `done(fresh)` gives the notice as [key, params]. Done: the card is redrawn from
     * the server's answer (a new key shown once) and the keyboard goes back to the control named by `focus`.
     * Refused: the server's words go to `errorSlot` (the form's own line, which keeps what was typed) or the
     * card's notice, and nothing is redrawn, except when the partner or key is gone meanwhile: then the list
     * is read again. `own`: see errorText.
     */
    async change(partner, send, { control, done, focus, errorSlot, own } = {}) {
      notices.delete(partner.id);
      if (control) control.disabled = true;
      try {
        const answer = await send();
        const issued = answer.key ? answer : null; // IssuedKey: {partner, key_id, key}; else PartnerRead
        const fresh = issued ? issued.partner : answer;
        replace(fresh);
        if (issued) secret = { partnerId: fresh.id, keyId: issued.key_id, key: issued.key };
        const [key, params] = done ? done(fresh) : [];
        if (key) notices.set(partner.id, { key, params, kind: 'ok' });
        render();
        if (key) announce(ctx.t(key, params));
        refocus(partner.id, issued ? 'ap-secret-title' : focus);
      } catch (error) {
        const text = errorText(ctx, error, { own });
        if (['alarm_partner_unknown', 'not_found'].includes(error.code)) {
          notices.set(partner.id, { text, kind: 'error' });
          await load();
          if (!partners.some((p) => p.id === partner.id)) message(text, 'error');
          refocus(partner.id, 'ap-partner-notice');
          return;
        }
        const card = cardOf(partner.id);
        const slot = errorSlot?.isConnected ? errorSlot : card?.querySelector('[data-testid="ap-partner-notice"]');
        if (slot) {
          slot.className = 'ap-notice error';
          slot.setAttribute('role', 'alert');
          slot.textContent = text;
        }
        if (control?.isConnected) { control.disabled = false; control.focus(); }
      }
    },
    hideSecret(partnerId) {
      secret = null;
      render();
      refocus(partnerId, 'ap-partner-title');
    },
  };

  function replace(partner) {
    const at = partners.findIndex((p) => p.id === partner.id);
    if (at >= 0) partners[at] = partner;
    else partners = [...partners, partner].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  }

  const cardOf = (partnerId) => $('ap-list').querySelector(`[data-testid="ap-partner"][data-id="${partnerId}"]`);

  /** After a redraw: the keyboard goes to the same control of the same partner (or its notice, its heading). */
  function refocus(partnerId, testid) {
    if (!testid) return;
    const card = cardOf(partnerId);
    const target = card?.querySelector(`[data-testid="${testid}"]:not([disabled])`)
      || card?.querySelector('[data-testid="ap-partner-title"]');
    target?.focus();
  }

  function render() {
    const list = $('ap-list');
    mount(list, partners.map((partner) => renderPartner(partner, ctx, {
      actions,
      secret: secret?.partnerId === partner.id ? secret : null,
      notice: notices.get(partner.id),
      devices: {
        open: devicesOpen.get(partner.id) || new Set(),
        lists: deviceLists,
        onToggle: (panel, open) => {
          const panels = devicesOpen.get(partner.id) || new Set();
          if (open) panels.add(panel); else panels.delete(panel);
          devicesOpen.set(partner.id, panels);
        },
      },
    })));
    $('ap-empty').hidden = partners.length > 0;
    $('ap-empty').textContent = ctx.t('ap.empty');
  }

  function newPartnerForm() {
    const error = h('p', { class: 'ap-notice error', role: 'alert', 'data-testid': 'ap-new-error' });
    const name = h('input', { id: 'ap-new-name', maxlength: 120, required: true, autocomplete: 'off', 'data-testid': 'ap-new-name' });
    const kind = h('select', { id: 'ap-new-kind', 'data-testid': 'ap-new-kind' },
      ['alarm', 'sensor'].map((k) => h('option', { value: k }, ctx.t(`ap.kind.${k}`))));
    const callback = h('input', {
      id: 'ap-new-callback', type: 'url', maxlength: 500, inputmode: 'url', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': 'ap-new-callback-hint', 'data-testid': 'ap-new-callback',
    });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'ap-new-submit' }, ctx.t('ap.new.submit'));
    const fail = (text, field) => { error.textContent = text; field?.focus(); };
    const form = h('form', {
      class: 'ap-card ap-new', novalidate: true, 'aria-labelledby': 'ap-new-title',
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = '';
        const body = { name: name.value.trim(), kind: kind.value, callback_url: callback.value.trim() };
        if (!body.name) return fail(ctx.t('ap.new.missingName'), name);
        if (body.callback_url && !/^https?:\/\/\S+$/i.test(body.callback_url)) return fail(ctx.t('ap.new.badUrl'), callback);
        submit.disabled = true;
        try {
          const issued = await ctx.api.post(`${PARTNERS}/`, body);
          replace(issued.partner);
          secret = { partnerId: issued.partner.id, keyId: issued.key_id, key: issued.key };
          notices.set(issued.partner.id, { key: 'ap.new.done', params: { name: issued.partner.name }, kind: 'ok' });
          form.reset();
          render();
          announce(ctx.t('ap.keys.issued', { name: issued.partner.name }));
          refocus(issued.partner.id, 'ap-secret-title');
        } catch (err) {
          fail(errorText(ctx, err));
        } finally {
          submit.disabled = false;
        }
        return undefined;
      },
    },
    h('h2', { id: 'ap-new-title' }, ctx.t('ap.new.title')),
    h('p', { class: 'meta' }, ctx.t('ap.new.hint')),
    h('label', { for: 'ap-new-name' }, ctx.t('ap.field.name')), name,
    h('label', { for: 'ap-new-kind' }, ctx.t('ap.field.kind')), kind,
    h('label', { for: 'ap-new-callback' }, ctx.t('ap.field.callback')), callback,
    h('p', { id: 'ap-new-callback-hint', class: 'meta' }, ctx.t('ap.field.callbackHint')),
    error,
    submit);
    return form;
  }

  /** The static parts in the current language (a typed but unsent partner is lost on a language switch). */
  function renderFrame() {
    mount($('ap-new-slot'), newPartnerForm());
  }

  return {
    async open() {
      if (!initialised) { renderFrame(); initialised = true; }
      await loadStylesheet(STYLESHEET);
      root.hidden = false;
      await load();
    },
    close() { root.hidden = true; },
    /** Signed out: nothing of this admin's (above all not a key just issued) is kept for the next one. */
    reset() {
      partners = [];
      secret = null;
      notices.clear();
      devicesOpen.clear();
      deviceLists.clear();
      seq += 1;
      if (initialised) { render(); renderFrame(); message(''); }
    },
    relabel() {
      if (!initialised) return;
      renderFrame();
      render();
    },
    get isOpen() { return !root.hidden; },
  };
}
