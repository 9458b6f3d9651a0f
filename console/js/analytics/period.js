/**
 * The analytics period: presets worked out from the server's idea of "today" (the default report's
 * `period_to`, in the tenant's time zone), never from the desk PC's clock.
 *
 * A period is `{ preset, from, to }` with inclusive local dates `YYYY-MM-DD`; the default preset sends no
 * dates at all, so the server's "last 7 whole days" is what the view shows first.
 */

export const PRESETS = ['last7', 'lastWeek', 'last4Weeks', 'custom'];
const DAY_MS = 86400000;

/** The local date (tenant time zone) of an instant. */
export function localDate(instant, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(instant));
}

const toDay = (iso) => Date.parse(`${iso}T00:00:00Z`);
const fromDay = (ms) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (iso, n) => fromDay(toDay(iso) + n * DAY_MS);

/** The inclusive local dates a report covers (its `period_to` is the exclusive end). */
export function reportDates(report) {
  return {
    from: localDate(report.period_from, report.time_zone),
    to: localDate(Date.parse(report.period_to) - 1, report.time_zone),
  };
}

/**
 * The dates of a preset, given `today` (the first day after the default period). `last7` has none: the
 * server's default. Custom dates are the caller's.
 */
export function presetDates(preset, today) {
  if (preset === 'last4Weeks') return { from: addDays(today, -28), to: addDays(today, -1) };
  if (preset === 'lastWeek') {
    const isoWeekday = ((new Date(toDay(today)).getUTCDay() + 6) % 7) + 1; // Monday 1 … Sunday 7
    const monday = addDays(today, 1 - isoWeekday);
    return { from: addDays(monday, -7), to: addDays(monday, -1) };
  }
  return { from: null, to: null };
}

/** Query string for the analytics endpoints (`lang` included when given). */
export function periodQuery({ from, to }, extra = {}) {
  const params = new URLSearchParams();
  if (from && to) { params.set('from', from); params.set('to', to); }
  for (const [key, value] of Object.entries(extra)) if (value != null && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A custom period the API accepts: both dates, from ≤ to, at most 366 days. Returns an i18n key or null. */
export function checkCustom(from, to) {
  if (!from || !to) return 'an.period.needBoth';
  if (from > to) return 'an.period.order';
  if ((toDay(to) - toDay(from)) / DAY_MS >= 366) return 'an.period.tooLong';
  return null;
}
