/** Sign-in: username and password → POST /api/v1/auth/login (through the session). */
import { h, mount } from '/app/js/dom.js';

export function renderLogin(view, ctx, { notice = '' } = {}) {
  const { t } = ctx;
  let error = notice;
  let busy = false;

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const form = event.currentTarget;
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    if (!username || !password) return;
    busy = true;
    error = '';
    draw({ username });
    ctx.unlockSound(); // this tap lets the assignment alert make a sound later
    try {
      await ctx.session.login(username, password); // the app then shows the duty screen
    } catch (e) {
      if (e.status === 401) error = t('login.invalid');
      else if (e.status === 429) error = t('login.throttled');
      else if (!e.status) error = t('login.offline');
      else error = t('login.error', { detail: e.detail || e.code });
    }
    busy = false;
    if (error) draw({ username });
  }

  function draw({ username = '' } = {}) {
    mount(view, h('form', { class: 'login card', onsubmit: submit, novalidate: true },
      h('h1', {}, t('login.title')),
      h('label', { class: 'field' },
        h('span', {}, t('login.username')),
        h('input', {
          name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false',
          required: true, value: username, dataset: { testid: 'login-username' },
        })),
      h('label', { class: 'field' },
        h('span', {}, t('login.password')),
        h('input', {
          name: 'password', type: 'password', autocomplete: 'current-password', required: true,
          dataset: { testid: 'login-password' },
        })),
      error && h('p', { class: 'alert-error', role: 'alert', dataset: { testid: 'login-error' } }, error),
      h('button', { type: 'submit', class: 'btn btn-primary btn-huge', disabled: busy, dataset: { testid: 'login-submit' } },
        t('login.submit'))));
  }

  draw();
  return null;
}
