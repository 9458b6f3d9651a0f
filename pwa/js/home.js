/**
 * Home: the big "report an incident" button, the second, non-emergency path (complaints, suggestions and
 * questions to the municipality) and the citizen's own reports (the emergency bar is above).
 */
import { h, mount } from './dom.js';
import { newDraft } from './wizard.js';
import { reportList } from './my-reports.js';

export function renderHome(view, ctx) {
  const { t } = ctx;
  const list = h('div');
  const phone = ctx.tenant?.emergency_phone;
  const install = ctx.installPrompt && h('button', {
    type: 'button',
    class: 'btn btn-secondary btn-block',
    dataset: { testid: 'install-app' },
    onclick: async () => {
      const prompt = ctx.installPrompt;
      ctx.installPrompt = null;
      install.remove();
      prompt.prompt();
    },
  }, t('home.install'));

  mount(view,
    h('section', { class: 'hero' },
      h('h1', {}, t('home.title')),
      h('p', { class: 'lead' }, t('home.lead')),
      h('button', {
        type: 'button',
        id: 'start-report',
        class: 'btn btn-primary btn-block btn-hero',
        dataset: { testid: 'start-report' },
        onclick: () => {
          ctx.draft = newDraft();
          ctx.navigate('#/report/1');
        },
      }, t('home.report'))),
    h('section', { class: 'card participation-card', 'aria-labelledby': 'participation-title' },
      h('h2', { id: 'participation-title' }, t('home.participationTitle')),
      h('p', {}, t('home.participationLead')),
      h('p', { class: 'meta', dataset: { testid: 'participation-not-emergency' } },
        phone ? t('participation.notEmergency', { phone }) : t('participation.notEmergencyNoPhone')),
      h('a', { href: '#/participation', class: 'btn btn-secondary btn-block', dataset: { testid: 'start-participation' } },
        t('home.participation'))),
    h('section', { class: 'card', 'aria-labelledby': 'my-reports-title' },
      h('h2', { id: 'my-reports-title' }, h('a', { href: '#/reports' }, t('reports.title'))),
      list),
    install,
    h('p', { class: 'meta privacy-note' }, t('home.privacy')),
    h('p', { class: 'transparency-link' },
      h('a', { href: '/transparencia/', dataset: { testid: 'transparency-link' } }, t('home.transparency'))));

  return reportList(ctx, list);
}
