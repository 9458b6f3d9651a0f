/**
 * "Nuevo incidente": something the officer finds on patrol. Type, description and the current GPS
 * position; queued like every other action (the server assigns it to the unit, on scene).
 * Categories come from the server in the chosen language and are kept in localStorage for offline use.
 */
import { h, mount } from '/app/js/dom.js';

const KEY = 'sereno.field.categories';

export async function loadCategories(api, lang) {
  try {
    const list = await api.get('/api/v1/categories', { timeout: 8000 });
    localStorage.setItem(`${KEY}.${lang}`, JSON.stringify(list));
    return list;
  } catch {
    try { return JSON.parse(localStorage.getItem(`${KEY}.${lang}`)) || []; } catch { return []; }
  }
}

export function renderNewIncident(view, ctx) {
  const { t } = ctx;
  const state = { category: '', description: '', error: '', busy: false };
  const locationText = (fix) => (fix
    ? t('incident.location', { lat: fix.lat.toFixed(5), lon: fix.lon.toFixed(5), acc: Math.round(fix.accuracy ?? 0) })
    : t('incident.noLocation'));

  async function submit(event) {
    event.preventDefault();
    const fix = ctx.duty.fix;
    if (state.busy || !fix) return;
    if (!state.category || !state.description.trim()) { state.error = t('incident.required'); draw(); return; }
    state.busy = true;
    const category = ctx.categories.find((c) => c.code === state.category);
    await ctx.actions.incident({
      category: state.category,
      categoryName: category?.name,
      description: state.description.trim(),
      location: { lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy == null ? null : Math.round(fix.accuracy) },
    });
    ctx.navigate('#/', { replace: true });
  }

  function draw() {
    const fix = ctx.duty.fix;
    mount(view, h('form', { class: 'incident-form', novalidate: true, onsubmit: submit },
      h('h1', {}, t('incident.title')),
      ctx.categories.length
        ? h('label', { class: 'field' },
          h('span', {}, t('incident.category')),
          h('select', {
            dataset: { testid: 'incident-category' }, required: true,
            onchange: (e) => { state.category = e.target.value; },
          },
          h('option', { value: '' }, '—'),
          ctx.categories.map((c) => h('option', { value: c.code, selected: c.code === state.category }, c.name))))
        : h('p', { class: 'alert-error' }, t('incident.noCategories')),
      h('label', { class: 'field' },
        h('span', {}, t('incident.description')),
        h('textarea', {
          rows: 4, maxlength: 2000, value: state.description, dataset: { testid: 'incident-description' },
          oninput: (e) => { state.description = e.target.value; },
        })),
      h('p', { class: 'meta', dataset: { testid: 'incident-location' } }, locationText(fix)),
      state.error && h('p', { class: 'alert-error', role: 'alert' }, state.error),
      h('button', {
        type: 'submit', class: 'btn btn-primary btn-huge', disabled: state.busy || !fix,
        dataset: { testid: 'incident-submit' },
      }, t('incident.submit')),
      h('button', { type: 'button', class: 'btn btn-outline btn-block', onclick: () => ctx.navigate('#/') }, t('nav.back'))));
  }

  draw();
  // The GPS fix may arrive or change while the form is open: update the line and the button in place.
  const timer = setInterval(() => {
    const fix = ctx.duty.fix;
    const line = view.querySelector('[data-testid="incident-location"]');
    if (line) line.textContent = locationText(fix);
    const button = view.querySelector('[data-testid="incident-submit"]');
    if (button) button.disabled = state.busy || !fix;
  }, 2000);
  return () => clearInterval(timer);
}
