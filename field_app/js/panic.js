/**
 * The panic button: always on screen while on duty, sent only after a deliberate press (held for 2 s, or
 * a tap and then "Sí, enviar alerta"). The alert carries the last position and is retried every 5 s until
 * the server has it, across reloads (kept in localStorage). Once sent, the banner stays until the command
 * center clears the emergency (a `unit.updated` / `unit.emergency` message with `emergency: false`).
 */
import { h, mount } from '/app/js/dom.js';

const KEY = 'sereno.field.emergency';
const HOLD_MS = 2000;
const RETRY_MS = 5000;

export function createPanic(ctx, root) {
  const { t } = ctx;
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(KEY)); } catch { /* none */ }
  let state = saved?.state || null; // null | 'sending' | 'sent'
  let body = saved?.body || null;
  let error = '';
  let retryTimer = null;
  let holdTimer = null;
  let held = false;

  const persist = () => {
    try {
      if (state) localStorage.setItem(KEY, JSON.stringify({ state, body }));
      else localStorage.removeItem(KEY);
    } catch { /* memory only */ }
  };

  async function send() {
    clearTimeout(retryTimer);
    try {
      await ctx.api.post('/api/v1/field/panic', body, { timeout: 10000 });
      state = 'sent';
      error = '';
      navigator.vibrate?.([200, 100, 200]);
    } catch (e) {
      error = e.detail || e.code || '';
      if (!e.status || e.status >= 500 || e.status === 429 || e.status === 401) retryTimer = setTimeout(send, RETRY_MS);
    }
    persist();
    draw();
  }

  function trigger() {
    if (state) return; // already raised: only the command center ends it
    const fix = ctx.duty.fix;
    body = { device_at: new Date().toISOString() };
    if (fix) Object.assign(body, { lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy == null ? null : Math.round(fix.accuracy) });
    state = 'sending';
    persist();
    draw();
    send();
  }

  const dialog = h('dialog', { class: 'panic-dialog', 'aria-labelledby': 'panic-title', dataset: { testid: 'panic-dialog' } });
  function openDialog() {
    mount(dialog,
      h('h2', { id: 'panic-title' }, t('panic.confirmTitle')),
      h('p', {}, t('panic.confirmText')),
      h('button', {
        type: 'button', class: 'btn btn-danger btn-huge', dataset: { testid: 'panic-confirm' },
        onclick: () => { dialog.close(); trigger(); },
      }, t('panic.confirm')),
      h('button', { type: 'button', class: 'btn btn-outline btn-block', onclick: () => dialog.close() }, t('panic.cancel')));
    dialog.showModal();
  }

  const cancelHold = () => { clearTimeout(holdTimer); button.classList.remove('is-holding'); };
  const button = h('button', {
    type: 'button', class: 'panic-button', dataset: { testid: 'panic' },
    onpointerdown: () => {
      held = false;
      button.classList.add('is-holding');
      holdTimer = setTimeout(() => { held = true; cancelHold(); trigger(); }, HOLD_MS);
    },
    onpointerup: cancelHold,
    onpointerleave: cancelHold,
    onpointercancel: cancelHold,
    oncontextmenu: (e) => e.preventDefault(), // a long press must not open the phone's menu
    onclick: () => { if (held) { held = false; return; } if (!state) openDialog(); },
  });
  const status = h('div', { class: 'panic-status', role: 'alert', dataset: { testid: 'panic-status' } });

  function draw() {
    const visible = ctx.duty.on && ctx.session.active;
    root.hidden = !visible && !state;
    mount(button, h('strong', {}, t('panic.button')), h('span', {}, t('panic.hint')));
    button.hidden = !visible || Boolean(state);
    status.hidden = !state;
    status.dataset.state = state || '';
    status.textContent = state === 'sent' ? t('panic.sent')
      : error ? t('panic.retrying', { detail: error }) : t('panic.sending');
    document.body.classList.toggle('has-emergency', Boolean(state));
  }

  mount(root, status, button, dialog);
  ctx.duty.onChange(draw);
  ctx.i18n.onChange(draw);
  draw();
  if (state === 'sending') send();

  return {
    /** A unit message from the server: the command center may have cleared the emergency. */
    onUnit(unit) {
      if (unit && unit.emergency === false && state === 'sent') {
        state = null;
        body = null;
        persist();
        draw();
      } else if (unit?.emergency && !state) {
        state = 'sent';
        persist();
        draw();
      }
    },
    reset() { clearTimeout(retryTimer); state = null; body = null; persist(); draw(); },
    draw,
  };
}
