/**
 * Tiny i18n helper: one dictionary module per language (`export default { key: "text {name}" }`), loaded
 * on demand, with the default language as fallback for missing keys.
 *
 * Static markup is translated through attributes: `data-i18n="key"` sets the text,
 * `data-i18n-attr="aria-label:key;placeholder:key2"` sets attributes.
 */

export function createI18n({ loaders, fallback = 'es', locales = {}, storageKey = 'sereno.lang' }) {
  const dictionaries = {};
  const listeners = new Set();
  let current = fallback;

  async function load(lang) {
    if (!dictionaries[lang]) dictionaries[lang] = (await loaders[lang]()).default;
    return dictionaries[lang];
  }

  function t(key, params = {}) {
    const text = dictionaries[current]?.[key] ?? dictionaries[fallback]?.[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
  }

  function translate(root = document) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        el.setAttribute(attr.trim(), t(key.trim()));
      }
    }
  }

  /** Switch language: loads the dictionary, remembers the choice, sets <html lang>, tells listeners. */
  async function setLang(lang) {
    if (!loaders[lang]) lang = fallback;
    await Promise.all([load(fallback), load(lang)]);
    current = lang;
    try { localStorage.setItem(storageKey, lang); } catch { /* private mode: the choice lasts this visit */ }
    document.documentElement.lang = locales[lang] || lang;
    translate();
    listeners.forEach((fn) => fn(lang));
  }

  function saved() {
    try { return localStorage.getItem(storageKey); } catch { return null; }
  }

  const locale = () => locales[current] || current;

  return {
    t,
    translate,
    setLang,
    /** The saved choice, else the fallback (Spanish by default whatever the phone says). */
    init: () => setLang(saved() || fallback),
    get lang() { return current; },
    locale,
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    formatDate: (value, options = { dateStyle: 'medium', timeStyle: 'short' }) =>
      new Intl.DateTimeFormat(locale(), options).format(new Date(value)),
    formatNumber: (value, options) => new Intl.NumberFormat(locale(), options).format(value),
  };
}
