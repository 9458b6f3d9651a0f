/** After "send": the reference code, large, or the promise that the report goes out with the signal. */
import { h, mount } from './dom.js';

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
      mine, home);
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
