/**
 * What a dispatcher can do to an incident: place it on the map (locate.js), triage, note, find and merge
 * duplicates, mark unfounded, cancel, close, reopen (supervisors). Only the actions the incident's state allows are offered; the
 * server still decides (a refusal comes back as a 409 and the panel reloads).
 *
 * State-changing commands carry the version the dispatcher saw when the form was drawn (`formVersion`).
 */
import { h, mount, distance } from './dom.js';
import { openLocate, closeLocate } from './locate.js';

const TRIAGE = new Set(['new', 'triaged', 'dispatched', 'en_route', 'on_scene']);
const EARLY = new Set(['new', 'triaged']); // duplicate / unfounded / cancelled are allowed from here
const NOTE = new Set([...TRIAGE, 'resolved', 'closed']);
const REOPEN = new Set(['resolved', 'closed']);

let formSeq = 0;
const uid = (name) => `${name}-${++formSeq}`;

export function renderActions(root, incident, ctx, panel) {
  closeLocate(); // the slot it lives in is redrawn below
  if (!ctx.canAct) { mount(root); return; }
  const s = incident.status;
  const any = TRIAGE.has(s) || NOTE.has(s) || EARLY.has(s) || (REOPEN.has(s) && ctx.isSupervisor);
  if (!any) { mount(root); return; } // duplicate, unfounded, cancelled: nothing left to do here
  const path = `/api/v1/incidents/${encodeURIComponent(incident.id)}`;
  const post = (action, body) => ctx.api.post(`${path}/${action}`, body);
  const version = incident.formVersion;
  const buttons = h('div', { class: 'actions-inline' });
  const slot = h('div', { class: 'action-slot' });
  // Nobody can be sent until an incident has a place: then placing it comes first, in a box of its own where
  // its form opens; a place already known can be corrected from the buttons, with the form below them.
  const unplaced = TRIAGE.has(s) && incident.needs_location;
  const locateButton = !TRIAGE.has(s) ? null : h('button', {
    type: 'button', class: `btn btn-small${unplaced ? ' btn-primary' : ''}`, 'data-testid': 'locate-incident', onclick: locate,
  }, ctx.t(unplaced ? 'locate.open' : 'locate.correct'));
  const locateSlot = unplaced ? h('div', { class: 'action-slot' }, locateButton) : slot;
  /** What opens below the buttons replaces what was there, and closes the locate form (and its map). */
  const fill = (...children) => {
    closeLocate();
    if (locateSlot !== slot) mount(locateSlot, locateButton);
    mount(slot, ...children);
  };

  mount(root,
    h('h3', {}, ctx.t('actions.title')),
    unplaced ? h('div', { class: 'needs-location' },
      h('p', {}, h('strong', {}, '⌖ ', ctx.t('queue.needsLocation')), ' · ', ctx.t('queue.needsLocationHint')),
      locateSlot) : null,
    TRIAGE.has(s) ? triageForm() : null,
    NOTE.has(s) ? noteForm() : null,
    buttons,
    slot);

  if (TRIAGE.has(s) && !unplaced) buttons.append(locateButton);
  if (EARLY.has(s)) {
    buttons.append(
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'find-duplicates', onclick: showDuplicates }, ctx.t('actions.duplicates')),
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'mark-unfounded', onclick: () => reasonForm('unfounded') }, ctx.t('actions.unfounded')),
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'cancel-incident', onclick: () => reasonForm('cancel') }, ctx.t('actions.cancel')));
  }
  if (s === 'resolved') {
    buttons.append(h('button', {
      type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'close-incident',
      onclick: (event) => panel.run(event.currentTarget, () => post('close', { version }), ctx.t('done.closed')),
    }, ctx.t('actions.close')));
  }
  if (REOPEN.has(s) && ctx.isSupervisor) {
    buttons.append(h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'reopen-incident', onclick: () => reasonForm('reopen') },
      ctx.t('actions.reopen')));
  }

  function locate() {
    if (locateSlot !== slot) mount(slot); // one form open at a time
    openLocate(locateSlot, {
      incident,
      ctx,
      onBack: () => { fill(); locateButton.focus(); },
      send: async (location, button, onError) => {
        const placed = await panel.run(button, () => post('triage', { version, location }), ctx.t('done.located'), { onError });
        if (placed) ctx.map?.centerOn(location.lat, location.lon);
      },
    });
  }

  function triageForm() {
    const ids = { cat: uid('triage-cat'), prio: uid('triage-prio'), note: uid('triage-note') };
    const category = h('select', { id: ids.cat, 'data-testid': 'triage-category' },
      ctx.categories.map((c) => h('option', { value: c.code, selected: c.code === incident.category?.code }, c.name)));
    if (!ctx.categories.some((c) => c.code === incident.category?.code) && incident.category) {
      category.prepend(h('option', { value: incident.category.code, selected: true }, incident.category.name));
    }
    const priority = h('select', { id: ids.prio, 'data-testid': 'triage-priority' },
      [1, 2, 3, 4].map((p) => h('option', { value: String(p), selected: p === incident.priority }, ctx.t(`priority.${p}`))));
    const note = h('input', { type: 'text', id: ids.note, maxlength: 1000, 'data-testid': 'triage-note' });
    return h('form', {
      class: 'triage-form',
      'aria-label': ctx.t('actions.triage'),
      onsubmit: (event) => {
        event.preventDefault();
        const body = { version, category: category.value, priority: Number(priority.value) };
        if (note.value.trim()) body.note = note.value.trim();
        panel.run(event.submitter, () => post('triage', body), ctx.t('done.triaged'));
      },
    },
    h('div', { class: 'field' }, h('label', { for: ids.cat }, ctx.t('actions.category')), category),
    h('div', { class: 'field field-narrow' }, h('label', { for: ids.prio }, ctx.t('actions.priority')), priority),
    h('div', { class: 'field field-wide' }, h('label', { for: ids.note }, ctx.t('actions.triageNote')), note),
    h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'triage-submit' }, ctx.t('actions.triage')));
  }

  function noteForm() {
    const id = uid('note');
    const text = h('textarea', { id, rows: 2, maxlength: 2000, required: true, 'data-testid': 'note-text' });
    return h('form', {
      class: 'note-form',
      onsubmit: (event) => {
        event.preventDefault();
        if (!text.value.trim()) { text.focus(); return; }
        panel.run(event.submitter, () => post('notes', { text: text.value.trim() }), ctx.t('done.note'));
      },
    },
    h('label', { for: id }, ctx.t('actions.note')), text,
    h('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'note-submit' }, ctx.t('actions.addNote')));
  }

  /** Unfounded, cancel and reopen need a reason; the form opens below the buttons. */
  function reasonForm(action) {
    const id = uid(`reason-${action}`);
    const reason = h('textarea', { id, rows: 2, maxlength: 1000, required: true, 'data-testid': 'reason-text' });
    const form = h('form', {
      class: 'reason-form',
      onsubmit: (event) => {
        event.preventDefault();
        if (!reason.value.trim()) { reason.focus(); return; }
        panel.run(event.submitter, () => post(action, { version, reason: reason.value.trim() }), ctx.t(`done.${action}`));
      },
    },
    h('label', { for: id }, ctx.t(`actions.reason.${action}`)), reason,
    h('div', { class: 'actions-inline' },
      h('button', { type: 'submit', class: `btn btn-small ${action === 'reopen' ? 'btn-primary' : 'btn-danger'}`, 'data-testid': 'reason-submit' },
        ctx.t(`actions.confirm.${action}`)),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => fill() }, ctx.t('actions.back'))));
    fill(form);
    reason.focus();
  }

  async function showDuplicates() {
    fill(h('p', { class: 'meta' }, ctx.t('app.loading')));
    let candidates;
    try {
      candidates = await ctx.api.get(`${path}/duplicates`);
    } catch (error) {
      fill(h('p', { class: 'd-notice error', role: 'alert' }, error.detail || ctx.t('error.generic')));
      return;
    }
    // Each candidate is a summary with its distance (also accepted nested as {incident, distance_m}).
    candidates = candidates.map((c) => (c.incident ? { ...c.incident, distance_m: c.distance_m } : c));
    const heading = h('h4', { tabindex: '-1' }, ctx.t('actions.duplicatesTitle', { n: candidates.length }));
    fill(heading,
      candidates.length ? h('ul', { class: 'plain-list' }, candidates.map((c) => h('li', {
        class: 'candidate', 'data-testid': 'merge-candidate', dataset: { code: c.code, id: c.id },
      },
      h('span', { class: `prio-badge p${c.priority}` }, `P${c.priority}`),
      h('span', { class: 'code' }, c.code),
      h('span', {}, c.category?.name || ''),
      h('span', { class: 'meta' }, `${distance(ctx.i18n, c.distance_m)} · ${ctx.label('inc.status', c.status)}`),
      h('button', {
        type: 'button', class: 'btn btn-small', 'data-testid': 'merge',
        'aria-label': ctx.t('actions.mergeInto', { code: c.code }),
        onclick: (event) => panel.run(event.currentTarget, () => post('merge', { version, primary_id: c.id }),
          ctx.t('done.merged', { code: c.code })),
      }, ctx.t('actions.merge'))))) : h('p', { class: 'meta' }, ctx.t('actions.noDuplicates')));
    heading.focus();
  }
}
