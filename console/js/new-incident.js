/**
 * "Nuevo incidente": an operator records a call received by phone or radio. The place is set by clicking
 * the map (or, from the keyboard, "use the map's centre" after moving the map with the arrow keys).
 */
import { h, mount } from './dom.js';

export function createNewIncident(root, ctx, { onCreated, onClose }) {
  let stopPicking = null;
  let location = null;

  function close() {
    stopPicking?.();
    stopPicking = null;
    root.hidden = true;
    mount(root);
    onClose();
  }

  function open() {
    location = null;
    root.hidden = false;
    const f = (id) => `ni-${id}`;
    const category = h('select', { id: f('category'), required: true, 'data-testid': 'new-incident-category', onchange: syncPriority },
      h('option', { value: '' }, ctx.t('new.chooseCategory')),
      ctx.categories.map((c) => h('option', { value: c.code }, c.name)));
    const priority = h('select', { id: f('priority'), 'data-testid': 'new-incident-priority' },
      h('option', { value: '' }, ctx.t('new.priorityAuto')),
      [1, 2, 3, 4].map((p) => h('option', { value: String(p) }, ctx.t(`priority.${p}`))));
    const description = h('textarea', { id: f('description'), rows: 4, maxlength: 2000, required: true, 'data-testid': 'new-incident-description' });
    const source = h('select', { id: f('source'), 'data-testid': 'new-incident-source' },
      ['phone', 'radio', 'operator'].map((s) => h('option', { value: s }, ctx.label('source', s))));
    const name = h('input', { type: 'text', id: f('name'), maxlength: 120, autocomplete: 'off', 'data-testid': 'new-incident-caller-name' });
    const phone = h('input', { type: 'tel', id: f('phone'), maxlength: 32, autocomplete: 'off', 'data-testid': 'new-incident-caller-phone' });
    const callback = h('input', { type: 'checkbox', id: f('callback') });
    const where = h('p', { class: 'pick-status', 'data-testid': 'new-incident-location', 'aria-live': 'polite' }, ctx.t('new.clickMap'));
    const error = h('p', { class: 'd-notice error', role: 'alert' });

    function syncPriority() {
      const cat = ctx.categories.find((c) => c.code === category.value);
      priority.options[0].textContent = cat?.priority ? `${ctx.t('new.priorityAuto')} (P${cat.priority})` : ctx.t('new.priorityAuto');
    }

    const onPick = ({ lat, lon }) => {
      location = { lat, lon };
      where.textContent = ctx.t('new.locationSet', { lat: lat.toFixed(5), lon: lon.toFixed(5) });
      where.classList.add('is-set');
    };
    stopPicking = ctx.map?.startPicking(onPick);

    async function submit(event) {
      event.preventDefault();
      error.textContent = '';
      if (!category.value) { error.textContent = ctx.t('new.needCategory'); category.focus(); return; }
      if (!description.value.trim()) { error.textContent = ctx.t('new.needDescription'); description.focus(); return; }
      if (!location) { error.textContent = ctx.t('new.needLocation'); return; }
      const body = { category: category.value, description: description.value.trim(), location, source: source.value };
      if (priority.value) body.priority = Number(priority.value);
      if (name.value.trim() || phone.value.trim()) {
        body.contact = { name: name.value.trim(), phone: phone.value.trim(), callback_wanted: callback.checked };
      }
      const button = event.submitter;
      button.disabled = true;
      try {
        const { data } = await ctx.api.request('POST', '/api/v1/incidents', { body });
        close();
        onCreated(data);
      } catch (err) {
        error.textContent = err.status === 0 ? ctx.t('error.network') : (err.detail || ctx.t('error.generic'));
        button.disabled = false;
      }
    }

    const field = (id, text, control, extra = '') => h('div', { class: `field ${extra}` }, h('label', { for: f(id) }, text), control);
    const heading = h('h2', { tabindex: '-1' }, ctx.t('new.title'));
    mount(root,
      heading,
      h('form', { class: 'new-form', onsubmit: submit, novalidate: true },
        field('category', ctx.t('actions.category'), category),
        field('priority', ctx.t('actions.priority'), priority),
        field('source', ctx.t('new.source'), source),
        field('description', ctx.t('detail.description'), description),
        h('fieldset', {},
          h('legend', {}, ctx.t('new.caller')),
          field('name', ctx.t('detail.contactName'), name),
          field('phone', ctx.t('detail.contactPhone'), phone),
          h('div', { class: 'check' }, callback, h('label', { for: f('callback') }, ctx.t('new.callbackWanted')))),
        h('fieldset', {},
          h('legend', {}, ctx.t('detail.location')),
          where,
          h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'new-incident-use-center',
            onclick: () => ctx.map?.pickCenter(onPick) }, ctx.t('new.useCenter'))),
        error,
        h('div', { class: 'actions-inline' },
          h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'new-incident-submit' }, ctx.t('new.submit')),
          h('button', { type: 'button', class: 'btn btn-ghost', onclick: close }, ctx.t('new.cancel')))));
    heading.focus();
  }

  return { open, close, get isOpen() { return !root.hidden; } };
}
