/** DOM helpers for the console: build elements without a framework, announce changes, format durations. */

/**
 * `h('button', { class: 'btn', onclick: fn, dataset: { testid: 'x' } }, 'Texto')`.
 * Attributes starting with "on" become listeners; `null`/`false` attributes and children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace the contents of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A list of buttons that is one Tab stop (roving tabindex): ↑/↓ move between them, Home/End go to the ends.
 * Returns `roving(target?)`, to call after each render (and with the button a click chose) so that exactly one
 * button (the one focused, else the current one, else the first) can be reached with Tab.
 */
export function rovingList(list, selector) {
  const buttons = () => [...list.querySelectorAll(selector)];
  function roving(target) {
    const all = buttons();
    const current = target || all.find((b) => b === document.activeElement)
      || all.find((b) => b.getAttribute('aria-current') === 'true') || all[0];
    for (const button of all) button.tabIndex = button === current ? 0 : -1;
  }
  list.addEventListener('keydown', (event) => {
    const all = buttons();
    const index = all.indexOf(document.activeElement);
    if (index < 0) return;
    const target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: all.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = all[Math.max(0, Math.min(all.length - 1, target))];
    roving(next);
    next.focus();
  });
  return roving;
}

/** Add a view's stylesheet once; resolves when it applies or failed to load (unstyled is still usable). */
export function loadStylesheet(href) {
  if (document.querySelector(`link[href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = h('link', { rel: 'stylesheet', href });
    link.onload = resolve;
    link.onerror = resolve;
    document.head.append(link);
  });
}

/** Polite (or assertive) announcement through the page's live regions. */
export function announce(text, { assertive = false } = {}) {
  const live = document.getElementById(assertive ? 'live-alert' : 'live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

const pad = (n) => String(n).padStart(2, '0');

/** Age for a queue timer: "4:07", "1:02:09", "2 d 03 h". */
export function formatAge(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 86400) return `${Math.floor(s / 86400)} d ${pad(Math.floor((s % 86400) / 3600))} h`;
  const hours = Math.floor(s / 3600);
  const rest = `${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return hours ? `${hours}:${rest}` : `${Math.floor((s % 3600) / 60)}:${pad(s % 60)}`;
}

/** A short "how long ago" for positions and timeline entries, using the given i18n. */
export function ago(i18n, seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return i18n.t('time.secondsAgo', { n: s });
  if (s < 3600) return i18n.t('time.minutesAgo', { n: Math.floor(s / 60) });
  if (s < 86400) return i18n.t('time.hoursAgo', { n: Math.floor(s / 3600) });
  return i18n.t('time.daysAgo', { n: Math.floor(s / 86400) });
}

/** Distance in metres as "350 m" / "1,2 km" in the current locale. */
export function distance(i18n, metres) {
  if (metres == null) return '—';
  if (metres < 1000) return `${i18n.formatNumber(Math.round(metres))} m`;
  return `${i18n.formatNumber(metres / 1000, { maximumFractionDigits: 1 })} km`;
}

/** Translation with a readable fallback: unknown codes show as "en route" rather than a key. */
export function label(t, key, code) {
  const text = t(key);
  return text === key ? String(code ?? '').replace(/_/g, ' ') : text;
}
