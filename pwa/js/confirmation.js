/** After "send": the reference code, large, or the promise that the report goes out with the signal. */
import { h, mount } from './dom.js';
import { pushSupported, subscribePush } from '/shared/push.js';
import { getReport } from './store.js';

export function renderConfirmation(view, ctx) {
  const { t } = ctx;
  const result = ctx.lastResult;
  if (!result) return ctx.navigate('#/', { replace: true });
  const home = h('a', { href: '#/', class: 'btn btn-secondary btn-block' }, t('nav.backHome'));
  const mine = h('a', { href: '#/reports', class: 'btn btn-primary btn-block', dataset: { testid: 'go-my-reports' } }, t('reports.title'));

  if (result.type === 'sent') {
    const { code } = result.result;
    mount(view,
      h('section', { class: 'confirmation', dataset: { testid: 'confirmation' } },
        h('h1', {}, t('done.title')),
        h('p', {}, t('done.codeIntro')),
        h('p', { class: 'code big-code', id: 'report-code', dataset: { testid: 'report-code' } }, code),
        h('p', {}, t('done.codeNote')),
        h('p', { class: 'meta' }, t('done.tokenNote'))),
      pushSupported() && followButton(ctx, {
        path: `/api/v1/reports/${encodeURIComponent(code)}/subscriptions`,
        token: async () => (await getReport(code)).token,
      }), mine, home);
    return;
  }
  mount(view,
    h('section', { class: 'confirmation queued', dataset: { testid: 'queued' } },
      h('h1', {}, t('done.queuedTitle')),
      h('p', {}, h('span', { class: 'badge badge-pending' }, t('reports.pending'))),
      h('p', {}, t('done.queuedText')),
      result.error?.status > 0 && result.error.detail && h('p', { class: 'meta' }, result.error.detail)),
    mine, home);
}

/**
 * Opt in to push updates about what was just sent, a report or a participation request: the server wants
 * its tracking token (`token()` reads it from the phone). `button` and `subscribed` are the texts that
 * name the thing followed.
 */
export function followButton(ctx, { path, token, button: buttonKey = 'follow.button', subscribed = 'follow.subscribed',
  testid = 'follow-report' }) {
  const { t } = ctx;
  const status = h('p', { class: 'meta', role: 'status', dataset: { testid: 'follow-status' } });
  const button = h('button', {
    type: 'button', class: 'btn btn-secondary btn-block', dataset: { testid },
    onclick: async () => {
      button.disabled = true;
      try {
        const result = await subscribePush(ctx.api, path, { headers: { 'X-Tracking-Token': await token() } });
        status.textContent = result === 'subscribed' ? t(subscribed) : t(`follow.${result}`);
      } catch (error) {
        status.textContent = error.detail || t('follow.failed');
        button.disabled = false;
      }
    },
  }, t(buttonKey));
  return h('div', {}, button, status);
}
