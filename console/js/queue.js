/**
 * The queue of open incidents (left column): priority, then oldest first; each row a button with code,
 * category, priority badge, sector, a timer ticking every second, SLA flags and status.
 *
 * Rows are kept per incident and only rebuilt when the incident changed, so a live message does not
 * steal focus from the dispatcher's keyboard position; the timers update their text in place.
 * The list is one Tab stop (roving tabindex): ↑/↓ move between rows, Home/End to the ends, Enter opens
 * the incident.
 */
import { h, mount, formatAge, rovingList } from './dom.js';
import { ageOf, callbackOverdue, idKey, unattendedTooLong } from './store.js';

export function createQueue(root, countEl, { store, ctx }) {
  const list = h('ol', { class: 'queue-list', 'aria-labelledby': 'queue-heading' });
  const roving = rovingList(list, '.queue-item');
  const empty = h('p', { class: 'empty', 'data-i18n': 'queue.empty' }, ctx.t('queue.empty'));
  mount(root, list, empty);
  const rows = new Map(); // id -> {li, sig}
  let selectedId = null;
  const highlighted = new Set(); // escalated just now or new: draw the eye for a while

  function signature(incident) {
    const units = (incident.units || []).map((u) => `${u.call_sign}:${u.status}`).join(',');
    return [incident.status, incident.priority, incident.category?.name, incident.sector?.name, incident.escalated, incident.silent,
      incident.needs_location,
      units, idKey(incident.id) === selectedId, highlighted.has(idKey(incident.id)), ctx.i18n.lang].join('|');
  }

  function flags(incident) {
    const out = [];
    // A partner's silent alarm (POS panic): never call the site back or do anything the robber could notice.
    if (incident.silent) {
      out.push(h('span', { class: 'flag flag-silent', 'data-testid': 'silent-badge', title: ctx.t('queue.silentHint') }, '🔕 ', ctx.t('queue.silent')));
    }
    // An SMS without a readable place: nobody can be sent until someone finds out where.
    if (incident.needs_location) {
      out.push(h('span', { class: 'flag flag-needs-location', 'data-testid': 'needs-location-badge', title: ctx.t('queue.needsLocationHint') }, '⌖ ', ctx.t('queue.needsLocation')));
    }
    if (incident.escalated) {
      out.push(h('span', { class: 'flag flag-escalated' }, '⚑ ', ctx.t('queue.escalated')));
    }
    out.push(h('span', { class: 'flag flag-callback', hidden: !callbackOverdue(store, incident) }, '☎ ', ctx.t('queue.callbackOverdue')));
    return out;
  }

  function buildRow(incident) {
    const units = (incident.units || []).map((u) => `${u.call_sign} (${ctx.label('unit.status', u.status)})`).join(', ');
    const button = h('button', {
      type: 'button',
      class: `queue-item p${incident.priority}${incident.escalated ? ' is-escalated' : ''}${highlighted.has(idKey(incident.id)) ? ' is-highlighted' : ''}`,
      'aria-current': idKey(incident.id) === selectedId ? 'true' : null,
      dataset: { testid: 'queue-item', code: incident.code, status: incident.status, priority: String(incident.priority), id: incident.id, silent: String(Boolean(incident.silent)) },
      onclick: () => ctx.onSelectIncident(incident.id),
    },
    h('span', { class: 'q-line' },
      h('span', { class: `prio-badge p${incident.priority}` }, `P${incident.priority}`),
      h('span', { class: 'q-code code' }, incident.code),
      h('span', { class: 'q-age' },
        h('span', { class: 'visually-hidden' }, `${ctx.t('queue.age')} `),
        h('span', { class: 'q-age-value' }, formatAge(ageOf(store, incident))))),
    h('span', { class: 'q-line q-what' },
      h('span', { class: 'q-category' }, incident.category?.name || '—'),
      h('span', { class: 'q-sector' }, incident.sector?.name || ctx.t('queue.noSector'))),
    h('span', { class: 'q-line' },
      h('span', { class: `status-badge s-${incident.status}` }, ctx.label('inc.status', incident.status)),
      units ? h('span', { class: 'q-units' }, units) : null,
      ...flags(incident)));
    return h('li', {}, button);
  }

  /** Re-render changed rows and put them in queue order without moving focus needlessly. */
  function render() {
    const ordered = store.queue();
    const focusedId = document.activeElement?.closest?.('.queue-item')?.dataset.id;
    const seen = new Set();
    const wanted = [];
    for (const incident of ordered) {
      const key = idKey(incident.id);
      seen.add(key);
      const sig = signature(incident);
      let row = rows.get(key);
      if (!row || row.sig !== sig) {
        const li = buildRow(incident);
        if (row) row.li.replaceWith(li);
        row = { li, sig };
        rows.set(key, row);
      }
      wanted.push(row.li);
    }
    for (const [id, row] of rows) {
      if (!seen.has(id)) { row.li.remove(); rows.delete(id); }
    }
    const current = [...list.children];
    if (current.length !== wanted.length || current.some((li, i) => li !== wanted[i])) list.replaceChildren(...wanted);
    if (focusedId && !root.contains(document.activeElement)) {
      rows.get(focusedId)?.li.querySelector('button').focus({ preventScroll: true });
    }
    roving();
    empty.hidden = ordered.length > 0;
    countEl.textContent = String(ordered.length);
    tick();
  }

  /** Exactly one row is in the Tab order: the focused one, else the selected one, else the first. */

  /** Every second: timers, overdue callbacks, the "waiting too long" colour. */
  function tick() {
    for (const incident of store.incidents.values()) {
      const li = rows.get(idKey(incident.id))?.li;
      if (!li) continue;
      const age = li.querySelector('.q-age');
      age.lastChild.textContent = formatAge(ageOf(store, incident));
      age.classList.toggle('is-late', unattendedTooLong(store, incident));
      li.querySelector('.flag-callback').hidden = !callbackOverdue(store, incident);
    }
  }

  function select(id) {
    selectedId = id == null ? null : idKey(id);
    render();
  }

  /** Draw attention to a row for a while (new P1, escalation). */
  function highlight(id, ms = 60000) {
    const key = idKey(id);
    highlighted.add(key);
    render();
    setTimeout(() => { highlighted.delete(key); render(); }, ms);
  }


  const timer = setInterval(tick, 1000);
  store.on('incidents', render);

  return { render, select, highlight, stop: () => clearInterval(timer) };
}
