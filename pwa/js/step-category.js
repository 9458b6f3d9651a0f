/** Step 1: what happened. Big buttons; emergency categories first offer the emergency phone call. */
import { h, mount } from './dom.js';

export const title = 'category.title';

export const validate = (ctx, draft) => (draft.category ? null : 'category.required');

/** Category icons by the tenant's icon name; anything unknown gets a neutral marker. */
const ICONS = {
  robbery: '👜', robbery_assault: '👜', assault: '👊', theft: '👜', violence: '⚠️', domestic_violence: '🏠',
  fight: '👊', drugs: '💊', vandalism: '🔨', suspicious: '👀', noise: '🔊', alcohol: '🍺',
  lighting: '💡', streetlight: '💡', vehicle: '🚗', traffic: '🚦', accident: '🚑', fire: '🔥',
  harassment: '🚫', animal: '🐕', garbage: '🗑️', other: '📝',
};

const iconFor = (category) => {
  const icon = category.icon || '';
  if (icon && !/^[\w-]+$/.test(icon) && icon.length <= 4) return icon; // the tenant gave an emoji
  return ICONS[icon] || ICONS[category.code] || '📍';
};

function emergencyPrompt(ctx, next) {
  const { t } = ctx;
  const phone = ctx.tenant?.emergency_phone;
  return h('section', { class: 'emergency-prompt', role: 'alert', dataset: { testid: 'emergency-prompt' } },
    h('h2', {}, phone ? t('emergency.question', { phone }) : t('emergency.questionNoPhone')),
    phone && h('a', { href: `tel:${phone}`, class: 'btn btn-danger btn-block', dataset: { testid: 'emergency-call-prompt' } },
      t('emergency.call', { phone })),
    h('button', { type: 'button', class: 'btn btn-secondary btn-block', dataset: { testid: 'continue-report' }, onclick: next },
      t('emergency.continue')));
}

export function render(body, ctx, draft, { next }) {
  const { t } = ctx;
  const promptHolder = h('div');
  if (!ctx.categories.length) {
    mount(body, h('p', { class: 'error-text' }, t('category.unavailable')));
    return;
  }
  const select = (category, button) => {
    draft.category = category;
    for (const b of grid.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
    mount(promptHolder, category.emergency && emergencyPrompt(ctx, next));
    if (category.emergency) promptHolder.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  };
  const grid = h('div', { class: 'category-grid', role: 'group', 'aria-label': t('category.title') },
    ctx.categories.map((category) => {
      const button = h('button', {
        type: 'button',
        class: `category-btn${category.emergency ? ' is-emergency' : ''}`,
        'aria-pressed': String(draft.category?.code === category.code),
        dataset: { testid: `category-${category.code}`, code: category.code },
        onclick: () => select(category, button),
      }, h('span', { class: 'category-icon', 'aria-hidden': 'true' }, iconFor(category)),
      h('span', {}, category.name));
      return button;
    }));
  mount(body, grid, promptHolder);
  if (draft.category?.emergency) mount(promptHolder, emergencyPrompt(ctx, next));
}
