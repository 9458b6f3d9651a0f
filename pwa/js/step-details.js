/** Step 4: what happened, in the citizen's words (≤ 2000 characters), and when (default: now). */
import { h, mount } from './dom.js';

/** `YYYY-MM-DDTHH:mm` in the phone's time zone, as <input type=datetime-local> wants it. */
export function localDateTime(date = new Date()) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

export const MAX_DESCRIPTION = 2000;
export const title = 'details.title';

export function validate(ctx, draft) {
  if (draft.description.length > MAX_DESCRIPTION) return 'details.tooLong';
  if (draft.occurredAt && new Date(draft.occurredAt).getTime() > Date.now() + 5 * 60000) return 'details.future';
  return null;
}

export function render(body, ctx, draft) {
  const { t } = ctx;
  const counter = h('p', { class: 'meta counter', id: 'description-counter', 'aria-live': 'polite' });
  const updateCounter = () => {
    counter.textContent = t('details.counter', { n: draft.description.length, max: MAX_DESCRIPTION });
  };
  const textarea = h('textarea', {
    id: 'description',
    name: 'description',
    rows: 6,
    maxlength: String(MAX_DESCRIPTION),
    'aria-describedby': 'description-hint description-counter',
    dataset: { testid: 'description' },
    value: draft.description,
    oninput: () => { draft.description = textarea.value; updateCounter(); },
  });
  const when = h('input', {
    type: 'datetime-local',
    id: 'occurred-at',
    name: 'occurred_at',
    max: localDateTime(),
    value: draft.occurredAt,
    dataset: { testid: 'occurred-at' },
    onchange: () => { draft.occurredAt = when.value || localDateTime(); },
  });
  mount(body,
    h('label', { for: 'description', class: 'label' }, t('details.description')),
    h('p', { class: 'meta', id: 'description-hint' }, t('details.hint')),
    textarea,
    counter,
    h('label', { for: 'occurred-at', class: 'label' }, t('details.when')),
    when,
    h('p', { class: 'meta' }, t('details.whenHint')));
  updateCounter();
}
