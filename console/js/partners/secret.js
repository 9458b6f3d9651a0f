/**
 * A key just issued, shown this once: the warning, the key in a read-only field (selected on focus, so
 * Ctrl+C works as well), "Copiar" and "Ya la guardé". Nothing here is stored; the view forgets the key when the
 * admin hides it, signs out or reloads, and the list shows only its fingerprint from then on.
 */
import { h } from '../dom.js';

export function renderSecret(secret, partner, ctx, { onDismiss }) {
  const fieldId = `ap-secret-${partner.id}`;
  const status = h('p', { class: 'ap-secret-status', role: 'status', 'data-testid': 'ap-secret-status' });
  const field = h('input', {
    id: fieldId, class: 'ap-secret-value', readonly: true, value: secret.key, spellcheck: 'false',
    autocomplete: 'off', 'aria-describedby': `${fieldId}-warning`, 'data-testid': 'ap-secret-value',
    onfocus: (event) => event.currentTarget.select(),
  });

  async function copy() {
    let copied = false;
    try {
      await navigator.clipboard.writeText(secret.key);
      copied = true;
    } catch {
      field.focus(); // selects it: the fallback is the keyboard's own copy
      copied = document.execCommand?.('copy') === true;
    }
    status.className = `ap-secret-status ${copied ? 'ok' : 'error'}`;
    status.textContent = ctx.t(copied ? 'ap.secret.copied' : 'ap.secret.copyFailed');
  }

  return h('section', { class: 'ap-secret', 'aria-labelledby': `${fieldId}-title`, 'data-testid': 'ap-secret', dataset: { keyId: String(secret.keyId) } },
    h('h4', { id: `${fieldId}-title`, tabindex: '-1', 'data-testid': 'ap-secret-title' }, ctx.t('ap.secret.title', { name: partner.name })),
    h('p', { id: `${fieldId}-warning`, class: 'ap-warning' },
      h('span', { 'aria-hidden': 'true' }, '⚠ '), ctx.t('ap.secret.warning')),
    h('label', { for: fieldId }, ctx.t('ap.secret.label', { id: partner.id })),
    h('div', { class: 'ap-secret-row' },
      field,
      h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'ap-secret-copy', onclick: copy }, ctx.t('ap.secret.copy'))),
    status,
    h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ap-secret-dismiss', onclick: onDismiss }, ctx.t('ap.secret.dismiss')));
}
