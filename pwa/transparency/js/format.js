/** How the page writes numbers, minutes, months and suppressed counts in the visitor's language. */

export function createFormat(i18n) {
  const number = (value, options) => i18n.formatNumber(value, options);
  return {
    number,
    /** A count, or "<k" when the API suppressed it (null: more than zero but fewer than k). */
    count: (value, k) => (value == null ? `<${k}` : number(value)),
    minutes: (value) => (value == null ? i18n.t('kpi.none') : i18n.t('kpi.minutes', { n: number(value, { maximumFractionDigits: 1 }) })),
    percent: (share) => number(share, { style: 'percent', maximumFractionDigits: 0 }),
    /** "2026-10" → "oct. 2026" / "Oct 2026". */
    month: (key) => {
      const [year, month] = key.split('-').map(Number);
      if (!year || !month) return key;
      return new Intl.DateTimeFormat(i18n.locale(), { month: 'short', year: 'numeric', timeZone: 'UTC' })
        .format(Date.UTC(year, month - 1, 1));
    },
    /** "2026-10-14" → "14 oct. 2026" (dates are calendar days: no time zone shift). */
    date: (value) => {
      const [year, month, day] = String(value).split('-').map(Number);
      if (!day) return String(value);
      return new Intl.DateTimeFormat(i18n.locale(), { dateStyle: 'medium', timeZone: 'UTC' })
        .format(Date.UTC(year, month - 1, day));
    },
    dateTime: (value) => i18n.formatDate(value),
  };
}
