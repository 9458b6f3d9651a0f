/** The partners API's address, and its refusals in the admin's language. */

export const PARTNERS = '/api/v1/alarms/partners';

/**
 * The server's refusal in the admin's language. The API's `detail` is already translated; the codes this view
 * can explain better (what to do next) come from `ap.error.<code>`, or from `own` (code → key) where the form
 * knows which field the code is about.
 */
export function errorText(ctx, error, { own = {} } = {}) {
  if (error.status === 0) return ctx.t('error.network');
  const key = own[error.code] || `ap.error.${error.code}`;
  const text = ctx.t(key);
  if (text !== key) return text;
  if (error.detail && error.detail !== error.code) return error.detail;
  return ctx.t(error.status === 403 ? 'error.forbidden' : 'error.generic');
}
