/**
 * Step 5: anonymous (the default) or with contact details, a summary, and the send button (rendered by
 * the wizard). The contact goes to municipal staff only; it is never published.
 */
import { h, mount } from './dom.js';

export const title = 'contact.title';

export function validate(ctx, draft) {
  if (draft.anonymous) return null;
  const { name, phone, email, callback } = draft.contact;
  if (!name.trim() && !phone.trim() && !email.trim()) return 'contact.empty';
  if (callback && !phone.trim()) return 'contact.phoneForCallback';
  return contactProblem(draft.contact);
}

/** A phone or email the server would refuse (also used by the participation form); null when fine. */
export function contactProblem({ phone, email }) {
  if (phone.trim() && !/^\+?[\d\s()-]{6,20}$/.test(phone.trim())) return 'contact.phoneInvalid';
  if (email.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim())) return 'contact.emailInvalid';
  return null;
}

function field(id, labelKey, t, attrs) {
  return h('div', { class: 'field' },
    h('label', { for: id, class: 'label' }, t(labelKey)),
    h('input', { id, name: id, ...attrs }));
}

function summary(ctx, draft) {
  const { t } = ctx;
  // The category list may have been reloaded in another language since the category was chosen.
  const category = ctx.categories.find((c) => c.code === draft.category.code) || draft.category;
  const loc = draft.location;
  return h('section', { class: 'card summary', 'aria-labelledby': 'summary-title' },
    h('h2', { id: 'summary-title' }, t('contact.summary')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('detail.category')), h('dd', {}, category.name),
      h('dt', {}, t('photos.title')), h('dd', {}, String(draft.photos.length)),
      h('dt', {}, t('location.title')), h('dd', {}, `${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}`),
      draft.description && [h('dt', {}, t('details.description')), h('dd', { class: 'clip' }, draft.description)]));
}

export function render(body, ctx, draft) {
  const { t } = ctx;
  const c = draft.contact;
  const bind = (key) => (event) => { c[key] = event.target.value; };
  const fields = h('fieldset', { class: 'contact-fields', hidden: draft.anonymous, dataset: { testid: 'contact-fields' } },
    h('legend', {}, t('contact.legend')),
    field('contact-name', 'contact.name', t, { type: 'text', autocomplete: 'name', value: c.name, oninput: bind('name'), dataset: { testid: 'contact-name' } }),
    field('contact-phone', 'contact.phone', t, { type: 'tel', autocomplete: 'tel', inputmode: 'tel', value: c.phone, oninput: bind('phone'), dataset: { testid: 'contact-phone' } }),
    field('contact-email', 'contact.email', t, { type: 'email', autocomplete: 'email', value: c.email, oninput: bind('email'), dataset: { testid: 'contact-email' } }),
    h('div', { class: 'check' },
      h('input', { type: 'checkbox', id: 'callback', checked: c.callback, dataset: { testid: 'callback' },
        onchange: (event) => { c.callback = event.target.checked; } }),
      h('label', { for: 'callback' }, t('contact.callback'))));
  const toggle = h('input', {
    type: 'checkbox',
    id: 'anonymous',
    role: 'switch',
    checked: draft.anonymous,
    'aria-describedby': 'anonymous-help',
    dataset: { testid: 'anonymous-toggle' },
    onchange: () => {
      draft.anonymous = toggle.checked;
      fields.hidden = draft.anonymous;
      if (!draft.anonymous) fields.querySelector('input').focus();
    },
  });
  mount(body,
    h('div', { class: 'check switch' }, toggle, h('label', { for: 'anonymous' }, t('contact.anonymous'))),
    h('p', { class: 'meta', id: 'anonymous-help' }, t('contact.anonymousHelp')),
    fields,
    h('p', { class: 'note', dataset: { testid: 'contact-privacy' } }, t('contact.privacy')),
    summary(ctx, draft),
    h('p', { class: 'meta' }, t('send.safeNote')));
}
