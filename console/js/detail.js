/**
 * The incident panel (right column): header, description, photos, reporter contact and callback,
 * actions (actions.js), dispatch and assignments (dispatch.js), timeline.
 *
 * Every change goes through `run()`: a 409 (`stale_version`, `illegal_transition`) shows the server's
 * words and reloads the incident, so nothing is ever overwritten silently. A live update that arrives
 * while the dispatcher is typing in a form keeps the form (and the version it was opened with) and says
 * the incident changed; sending it then gets the server's 409 and the fresh incident.
 */
import { h, mount, ago, announce } from './dom.js';
import { renderActions } from './actions.js';
import { renderAssignments, renderRecommendations } from './dispatch.js';
import { sameId } from './store.js';
import { photoThumbs } from './photos.js';

export function createDetail(root, ctx) {
  let current = null;
  let loadSeq = 0;
  let wanted = null; // the incident the dispatcher asked for last
  const edited = new Set(); // parts with a form the dispatcher has typed in or changed
  const part = (cls, extra = {}) => h('div', {
    class: cls, ...extra, oninput: (e) => edited.add(e.currentTarget), onchange: (e) => edited.add(e.currentTarget),
  });
  const parts = {
    head: part('d-head'),
    notice: h('div', { class: 'd-notice', role: 'alert', 'data-testid': 'detail-error' }),
    info: part('d-info'),
    actions: part('d-actions'),
    dispatch: part('d-dispatch'),
    assignments: part('d-assignments'),
    timeline: part('d-timeline'),
  };
  const renderers = [
    [parts.head, (el, d) => renderHead(d)],
    [parts.info, (el, d) => renderInfo(d)],
    [parts.actions, (el, d) => renderActions(el, d, ctx, panel)],
    [parts.dispatch, (el, d) => renderRecommendations(el, d, ctx, panel)],
    [parts.assignments, (el, d) => renderAssignments(el, d, ctx, panel)],
    [parts.timeline, (el, d) => renderTimeline(d)],
  ];

  /** A part is left alone by live updates while the dispatcher is working in one of its forms. */
  function busy(el) {
    if (edited.has(el) || el.querySelector('.action-slot form, .asg-slot form')) return true;
    const active = document.activeElement;
    return el.contains(active) && active.matches('input, textarea, select');
  }

  function placeholder() {
    current = null;
    wanted = null;
    loadSeq += 1;
    // data-i18n: a language chosen before signing in (no rerender then) retranslates it too.
    mount(root, h('p', { class: 'empty detail-empty', 'data-i18n': 'detail.none' }, ctx.t('detail.none')));
  }

  function setNotice(text, kind = 'error') {
    parts.notice.className = `d-notice ${kind}`;
    parts.notice.textContent = text || '';
  }

  function errorText(error) {
    if (error.status === 0) return ctx.t('error.network');
    if (error.status === 409) return `${error.detail || ctx.t('error.conflict')} ${ctx.t('error.reloaded')}`;
    if (error.status === 403) return error.detail || ctx.t('error.forbidden');
    return error.detail || ctx.t('error.generic');
  }

  const get = (id) => ctx.api.get(`/api/v1/incidents/${encodeURIComponent(id)}`);

  /** The incident as the server has it now, or null when another incident was opened meanwhile. */
  async function fetchDetail(id) {
    const seq = loadSeq;
    const detail = await get(id);
    return seq === loadSeq && sameId(wanted, id) ? detail : null;
  }

  /** Open an incident; `focus` moves the keyboard to the panel's heading. */
  async function show(id, { focus = false } = {}) {
    wanted = id;
    const seq = ++loadSeq;
    if (!sameId(current?.id, id)) mount(root, h('p', { class: 'empty' }, ctx.t('app.loading')));
    try {
      const detail = await get(id);
      if (seq !== loadSeq) return; // a later selection won
      render(detail);
      if (focus) parts.head.querySelector('h2')?.focus();
    } catch (error) {
      if (seq !== loadSeq) return;
      if (sameId(current?.id, id)) { setNotice(errorText(error)); return; }
      mount(root, h('p', { class: 'd-notice error', role: 'alert' }, errorText(error)));
    }
  }

  /** Live update of the open incident (debounced by the caller). */
  async function refresh() {
    if (!current || !sameId(wanted, current.id)) return;
    const id = current.id;
    let detail;
    try { detail = await fetchDetail(id); } catch { return; }
    if (!detail || !sameId(current?.id, id)) return;
    render(detail, { live: true });
  }

  /**
   * Draw the incident. A live redraw skips the parts being edited; if the incident changed under them the
   * dispatcher is told, and their forms keep the version they were opened with (the server will say 409).
   */
  function render(detail, { live = false, keepNotice = live } = {}) {
    const before = current;
    current = { ...detail, formVersion: detail.version };
    ctx.store.upsertIncident(detail);
    if (!keepNotice) setNotice('');
    let kept = false;
    for (const [el, draw] of renderers) {
      if (live && before && busy(el)) { kept = true; continue; }
      edited.delete(el);
      draw(el, current);
    }
    if (kept && before && detail.version !== before.version) setNotice(ctx.t('detail.changedWhileEditing'), 'info');
    if (!root.contains(parts.head)) {
      mount(root, parts.head, parts.notice, parts.info, parts.actions, parts.dispatch, parts.assignments, parts.timeline);
    }
  }

  function renderHead(d) {
    const facts = [
      [ctx.t('detail.category'), d.category?.name],
      [ctx.t('detail.sector'), d.sector?.name || '—'],
      [ctx.t('detail.source'), ctx.label('source', d.source)],
      [ctx.t('detail.reported'), `${ctx.i18n.formatDate(d.reported_at)} (${ago(ctx.i18n, d.age_s)})`],
      [ctx.t('detail.location'), d.location
        ? `${d.location.lat.toFixed(5)}, ${d.location.lon.toFixed(5)}${d.accuracy_m ? ` ±${Math.round(d.accuracy_m)} m` : ''}`
        : (d.needs_location ? ctx.t('queue.needsLocation') : '—')],
    ];
    if (d.duplicate_of) facts.push([ctx.t('detail.duplicateOf'), ctx.store.getIncident(d.duplicate_of)?.code || d.duplicate_of]);
    mount(parts.head,
      h('div', { class: 'd-title' },
        h('h2', { tabindex: '-1', 'data-testid': 'detail-code', class: 'code' }, d.code),
        h('span', { class: `prio-badge p${d.priority}` }, `P${d.priority}`),
        h('span', { class: `status-badge s-${d.status}`, 'data-testid': 'detail-status', dataset: { status: d.status } },
          ctx.label('inc.status', d.status)),
        d.escalated ? h('span', { class: 'flag flag-escalated' }, '⚑ ', ctx.t('queue.escalated')) : null,
        d.silent ? h('span', { class: 'flag flag-silent', 'data-testid': 'detail-silent', title: ctx.t('queue.silentHint') }, '🔕 ', ctx.t('queue.silent')) : null,
        d.needs_location ? h('span', { class: 'flag flag-needs-location', 'data-testid': 'detail-needs-location', title: ctx.t('queue.needsLocationHint') },
          '⌖ ', ctx.t('queue.needsLocation')) : null),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')])),
      d.location ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => ctx.map?.centerOn(d.location.lat, d.location.lon) },
        ctx.t('detail.showOnMap')) : null);
  }

  function renderInfo(d) {
    mount(parts.info,
      h('h3', {}, ctx.t('detail.description')),
      h('p', { class: 'description' }, d.description || ctx.t('detail.noDescription')),
      photoThumbs(ctx, d.photos),
      renderContact(d));
  }

  function renderContact(d) {
    if (!d.contact) return null;
    const c = d.contact;
    const due = d.callback_due_at ? ctx.i18n.formatDate(d.callback_due_at, { timeStyle: 'short' }) : null;
    const note = h('input', { type: 'text', id: 'callback-note', class: 'input', maxlength: 500 });
    return h('section', { class: 'contact', 'aria-labelledby': 'contact-h' },
      h('h3', { id: 'contact-h' }, ctx.t('detail.contact')),
      h('dl', { class: 'facts' },
        c.name ? [h('dt', {}, ctx.t('detail.contactName')), h('dd', {}, c.name)] : null,
        c.phone ? [h('dt', {}, ctx.t('detail.contactPhone')), h('dd', {}, h('a', { href: `tel:${c.phone.replace(/\s+/g, '')}` }, c.phone))] : null,
        c.email ? [h('dt', {}, ctx.t('detail.contactEmail')), h('dd', {}, c.email)] : null),
      c.callback_wanted ? h('p', { class: d.callback_overdue ? 'flag flag-callback' : 'meta' },
        d.callback_overdue ? `☎ ${ctx.t('queue.callbackOverdue')}` : ctx.t('detail.callbackWanted'), due ? ` · ${ctx.t('detail.callbackDue', { time: due })}` : '') : null,
      ctx.canAct && c.phone ? h('form', { class: 'inline-form', onsubmit: (event) => {
        event.preventDefault();
        run(event.submitter, () => ctx.api.post(`/api/v1/incidents/${current.id}/callback`, { note: note.value.trim() }), ctx.t('done.callback'));
      } },
      h('label', { for: 'callback-note' }, ctx.t('detail.callbackNote')), note,
      h('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'callback-submit' }, ctx.t('detail.callbackDone'))) : null);
  }

  function renderTimeline(d) {
    const entries = [...(d.timeline || [])].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    mount(parts.timeline,
      h('h3', {}, ctx.t('detail.timeline')),
      h('ol', { class: 'timeline' }, entries.map((e) => h('li', {},
        h('span', { class: 'meta' }, ctx.i18n.formatDate(e.at, { timeStyle: 'medium' }), e.actor ? ` · ${e.actor}` : ''),
        h('span', { class: 't-kind' }, ctx.label('timeline', e.kind)),
        timelineData(e.data)))));
  }

  /** The entry's data in words: status change, unit, priority, reason or note; internal ids left out. */
  function timelineData(data) {
    if (!data || typeof data !== 'object') return null;
    const out = [];
    if (data.from && data.to) out.push(`${ctx.label('inc.status', data.from)} → ${ctx.label('inc.status', data.to)}`);
    if (data.unit) out.push(data.unit);
    if (Array.isArray(data.units)) out.push(data.units.join(', '));
    if (data.priority) out.push(`P${data.priority}`);
    if (data.category) out.push(ctx.categories.find((c) => c.code === data.category)?.name || data.category);
    if (data.source) out.push(ctx.label('source', data.source));
    if (data.primary) out.push(data.primary);
    if (data.outcome) out.push(ctx.label('outcome', data.outcome));
    for (const key of ['reason', 'note', 'text', 'notes']) if (data[key]) out.push(`“${data[key]}”`);
    return out.length ? h('span', { class: 't-data' }, out.join(' · ')) : null;
  }

  /**
   * Run one change. `fn` returns an IncidentDetail (rendered at once) or anything else (the incident is
   * reloaded). Errors show in the panel, or through `onError(text)` next to the form that sent the change
   * while that form is still there; a 409 also reloads what the server has now (and so closes the form).
   * Resolves true when the change was made and drawn.
   */
  async function run(button, fn, doneText, { onError } = {}) {
    if (!current) return false;
    const id = current.id;
    setNotice('');
    button?.setAttribute('aria-busy', 'true');
    if (button) button.disabled = true;
    try {
      const result = await fn();
      if (!sameId(wanted, id)) return false;
      if (result && sameId(result.id, id) && Array.isArray(result.timeline)) {
        render(result);
      } else {
        const fresh = await fetchDetail(id);
        if (!fresh) return false;
        render(fresh);
      }
      if (doneText) { setNotice(doneText, 'ok'); announce(doneText); }
      return true;
    } catch (error) {
      if (!sameId(wanted, id)) return false;
      const text = errorText(error);
      if (error.status === 409) {
        try { const fresh = await fetchDetail(id); if (fresh) render(fresh); } catch { /* keep what we have */ }
      }
      if (onError && button?.isConnected) onError(text); else setNotice(text);
      if (button?.isConnected) { button.disabled = false; button.removeAttribute('aria-busy'); }
      return false;
    }
  }

  const panel = { run, setNotice, reload: () => show(current.id), get current() { return current; } };

  // Nothing is drawn here: the panel is created before the language's strings have loaded (app.js draws the
  // placeholder with `clear()` once they have), so it never shows a raw key such as "detail.none".
  return {
    show,
    refresh,
    clear: placeholder,
    get currentId() { return current?.id ?? null; },
    rerender: () => { if (current) render(current, { keepNotice: true }); else placeholder(); },
  };
}
