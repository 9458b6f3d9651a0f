/**
 * One request, as the municipality's staff see it: what the citizen wrote and its photos (photos.js, as on an
 * incident), where (with a small map), how to reach them (staff only), the answer once given, the actions its
 * status allows (actions.js) and the whole trail: who did what and when, internal entries marked as such.
 *
 * Every change goes through `run()`. A 409 reloads the request and says why: `stale_request` means someone
 * else changed it since it was opened here. A live or periodic refresh leaves a form the clerk is typing in
 * alone (and says the request changed); the form keeps the version it was opened with, so sending it gets
 * the server's 409 rather than overwriting someone else's step.
 */
import { h, mount, announce } from '../dom.js';
import { loadLeaflet, createPlaceMap } from '../map.js';
import { renderRequestActions } from './actions.js';
import { hoursLeftText, overdueFlag } from './list.js';
import { photoThumbs } from '../photos.js';

const INBOX = '/api/v1/participation/inbox';

/**
 * `ctx` is the console's plus `departments()` (the list from the server), `isMember(code)` (may this user
 * work that department's queue), `hoursLeft(id)` (the list's figure, from the server's clock) and
 * `canReopen`. `onChanged()` is called after every step (the list reloads).
 */
export function createRequestPanel(root, ctx, { onChanged }) {
  let current = null;
  let wanted = null;
  let seq = 0;
  let placeMap = null; // {map, key}
  const edited = new Set();
  const part = (cls) => h('div', {
    class: cls, oninput: (e) => edited.add(e.currentTarget), onchange: (e) => edited.add(e.currentTarget),
  });
  const parts = {
    head: part('d-head'),
    notice: h('div', { class: 'd-notice', role: 'alert', 'data-testid': 'pa-detail-notice' }),
    info: part('d-info'),
    place: h('div', { class: 'pa-place' }),
    contact: part('d-contact'),
    answer: part('d-answer'),
    actions: part('d-actions'),
    trail: part('d-timeline'),
  };

  const get = (id) => ctx.api.get(`${INBOX}/${encodeURIComponent(id)}`);

  function placeholder(text = ctx.t('pa.detail.none')) {
    current = null;
    wanted = null;
    seq += 1;
    dropMap();
    mount(root, h('p', { class: 'empty detail-empty' }, text));
  }

  function setNotice(text, kind = 'error') {
    parts.notice.className = `d-notice ${kind}`;
    parts.notice.textContent = text || '';
  }

  function errorText(error) {
    if (error.status === 0) return ctx.t('error.network');
    // stale_request: someone else changed it since it was opened here; illegal_transition: not from this status.
    if (error.status === 409) {
      return `${error.detail || ctx.t(error.code === 'stale_request' ? 'pa.error.stale' : 'error.generic')} ${ctx.t('pa.error.reloaded')}`;
    }
    if (error.status === 403) return error.detail || ctx.t('error.forbidden');
    return error.detail || ctx.t('error.generic');
  }

  /** A part keeps its form while the clerk is working in it. */
  function busy(el) {
    if (edited.has(el) || el.querySelector('.action-slot form')) return true;
    const active = document.activeElement;
    return el.contains(active) && active.matches('input, textarea, select');
  }

  async function show(id, { focus = false } = {}) {
    wanted = String(id);
    const mine = ++seq;
    if (String(current?.id) !== wanted) { dropMap(); mount(root, h('p', { class: 'empty' }, ctx.t('app.loading'))); }
    try {
      const detail = await get(id);
      if (mine !== seq) return;
      render(detail);
      if (focus) parts.head.querySelector('h2')?.focus();
    } catch (error) {
      if (mine !== seq) return;
      const text = error.status === 404 ? ctx.t('pa.detail.gone') : errorText(error);
      if (String(current?.id) === wanted) { setNotice(text); return; }
      mount(root, h('p', { class: 'd-notice error', role: 'alert', 'data-testid': 'pa-detail-notice' }, text));
    }
  }

  /** Re-read the open request (live message, periodic refresh); quiet about network trouble. */
  async function refresh() {
    if (!current || String(current.id) !== wanted || current.away) return;
    const id = String(current.id);
    const mine = seq;
    let detail;
    try {
      detail = await get(id);
    } catch (error) {
      if (error.status === 404 && mine === seq && String(current?.id) === id) goneFromInbox();
      return;
    }
    if (mine !== seq || String(current?.id) !== id) return;
    render(detail, { live: true });
  }

  /** The request left this user's queues (transferred to a department they do not work): read-only now. */
  function goneFromInbox() {
    current = { ...current, away: true };
    renderRequestActions(parts.actions, current, ctx, panel);
    setNotice(ctx.t('pa.detail.gone'), 'info');
  }

  function render(detail, { live = false, keepNotice = live } = {}) {
    const before = current;
    current = { ...detail, formVersion: detail.version, away: !ctx.isMember(detail.department.code) };
    if (!keepNotice) setNotice('');
    let kept = false;
    for (const [el, draw] of [
      [parts.head, renderHead], [parts.info, renderInfo], [parts.contact, renderContact],
      [parts.answer, renderAnswer], [parts.actions, (d) => renderRequestActions(parts.actions, d, ctx, panel)],
      [parts.trail, renderTrail],
    ]) {
      if (live && before && busy(el)) { kept = true; continue; }
      edited.delete(el);
      draw(current);
    }
    if (kept && before && detail.version !== before.version) setNotice(ctx.t('pa.detail.changedWhileEditing'), 'info');
    if (!root.contains(parts.head)) {
      mount(root, parts.head, parts.notice, parts.info, parts.place, parts.contact, parts.answer, parts.actions, parts.trail);
    }
    renderPlace(current);
  }

  function renderHead(d) {
    const left = ctx.hoursLeft(d.id);
    const open = ['received', 'in_progress'].includes(d.status);
    const facts = [
      [ctx.t('pa.topic'), d.topic.name],
      [ctx.t('pa.department'), d.department.name],
      [ctx.t('pa.received'), ctx.i18n.formatDate(d.received_at)],
      [ctx.t('pa.due'), [ctx.i18n.formatDate(d.due_at), open && left != null ? ` (${hoursLeftText(ctx.t, left)})` : '']],
      [ctx.t('pa.sector'), d.sector || '—'],
      [ctx.t('pa.address'), d.address || '—'],
    ];
    mount(parts.head,
      h('div', { class: 'd-title' },
        h('h2', { tabindex: '-1', class: 'code', 'data-testid': 'pa-detail-code' }, d.code),
        h('span', { class: 'kind-badge' }, ctx.label('pa.kind', d.kind)),
        h('span', { class: `status-badge pa-s-${d.status}`, 'data-testid': 'pa-detail-status', dataset: { status: d.status } },
          ctx.label('pa.status', d.status)),
        d.overdue ? overdueFlag(ctx, 'pa-detail-overdue') : null),
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  }

  function renderInfo(d) {
    mount(parts.info,
      h('h3', {}, ctx.t('pa.description')),
      h('p', { class: 'description', 'data-testid': 'pa-detail-description' }, d.description),
      photoThumbs(ctx, d.photos, { testid: 'pa-photos' }));
  }

  /** The map is drawn once per request and place, not on every refresh (Leaflet keeps its own state). */
  async function renderPlace(d) {
    const key = d.location ? `${d.id}|${d.location.lat}|${d.location.lon}` : null;
    if (placeMap?.key === key) return;
    dropMap();
    if (!key) return;
    const box = h('div', { class: 'pa-map', 'data-testid': 'pa-map' });
    mount(parts.place, h('h3', {}, ctx.t('pa.place')), box);
    try {
      const L = await loadLeaflet();
      if (!box.isConnected || placeMap) return; // another request was opened meanwhile
      const map = createPlaceMap(L, box, {
        lat: d.location.lat, lon: d.location.lon, area: ctx.tenant?.service_area, t: ctx.t,
        label: ctx.t('pa.mapLabel', { code: d.code }),
      });
      placeMap = { map, key };
    } catch {
      box.textContent = ctx.t('map.failed');
    }
  }

  function dropMap() {
    placeMap?.map.remove();
    placeMap = null;
    mount(parts.place);
  }

  function renderContact(d) {
    const c = d.contact;
    if (!c || !(c.name || c.phone || c.email)) {
      mount(parts.contact, h('h3', {}, ctx.t('pa.contact.title')), h('p', { class: 'meta' }, ctx.t('pa.contact.none')));
      return;
    }
    mount(parts.contact,
      h('h3', {}, ctx.t('pa.contact.title'), ' ', h('span', { class: 'internal-badge' }, ctx.t('pa.contact.staffOnly'))),
      h('dl', { class: 'facts', 'data-testid': 'pa-contact' },
        c.name ? [h('dt', {}, ctx.t('detail.contactName')), h('dd', {}, c.name)] : null,
        c.phone ? [h('dt', {}, ctx.t('detail.contactPhone')), h('dd', {}, h('a', { href: `tel:${c.phone.replace(/\s+/g, '')}` }, c.phone))] : null,
        c.email ? [h('dt', {}, ctx.t('detail.contactEmail')), h('dd', {}, h('a', { href: `mailto:${c.email}` }, c.email))] : null));
  }

  function renderAnswer(d) {
    if (d.answer == null) { mount(parts.answer); return; }
    mount(parts.answer,
      h('h3', {}, ctx.t(d.status === 'dismissed' ? 'pa.answer.reasonTitle' : 'pa.answer.title')),
      h('p', { class: 'description pa-answer', 'data-testid': 'pa-detail-answer' }, d.answer),
      d.answered_at ? h('p', { class: 'meta' }, ctx.t('pa.answer.at', { time: ctx.i18n.formatDate(d.answered_at) })) : null);
  }

  function renderTrail(d) {
    const entries = [...d.events].reverse(); // newest first, like the incident timeline
    mount(parts.trail,
      h('h3', { id: 'pa-trail-h' }, ctx.t('pa.trail.title')),
      h('ol', { class: 'timeline', 'aria-labelledby': 'pa-trail-h', 'data-testid': 'pa-trail' }, entries.map((e) => h('li', {
        dataset: { kind: e.kind, public: String(e.public) },
      },
      h('span', { class: 'meta' }, ctx.i18n.formatDate(e.at, { dateStyle: 'short', timeStyle: 'medium' }), ' · ', actorName(e.actor)),
      h('span', { class: 't-kind' }, ctx.label('pa.event', e.kind),
        e.public ? null : [' ', h('span', { class: 'internal-badge' }, ctx.t('pa.trail.internal'))]),
      trailData(e)))));
  }

  const actorName = (actor) => (['citizen', 'system'].includes(actor) ? ctx.t(`pa.actor.${actor}`) : actor);

  function trailData(e) {
    const out = [];
    if (e.data?.to) {
      const to = ctx.departments().find((x) => x.code === e.data.to);
      out.push(`→ ${to ? (ctx.i18n.lang === 'en' ? to.name_en : to.name_es) : e.data.to}`);
    }
    if (e.data?.due_at) out.push(ctx.t('pa.trail.dueWas', { time: ctx.i18n.formatDate(e.data.due_at) }));
    for (const key of ['note', 'text']) if (e.data?.[key]) out.push(`“${e.data[key]}”`);
    return out.length ? h('span', { class: 't-data' }, out.join(' · ')) : null;
  }

  /**
   * One step. `fn` returns the request's new detail (rendered at once). Errors show in the panel; a 409 also
   * reloads what the server has now.
   */
  async function run(button, fn, doneText) {
    if (!current) return;
    const id = String(current.id);
    setNotice('');
    button?.setAttribute('aria-busy', 'true');
    if (button) button.disabled = true;
    try {
      const result = await fn();
      if (wanted !== id) return;
      render(result);
      const text = current.away ? `${doneText} ${ctx.t('pa.detail.leftInbox')}` : doneText;
      setNotice(text, 'ok');
      announce(text);
      onChanged();
    } catch (error) {
      if (wanted !== id) return;
      if (error.status === 409) {
        try { const fresh = await get(id); if (wanted === id) render(fresh); } catch { /* keep what we have */ }
        onChanged();
      }
      setNotice(errorText(error));
      if (button?.isConnected) { button.disabled = false; button.removeAttribute('aria-busy'); }
    }
  }

  const panel = { run, setNotice, get current() { return current; } };

  placeholder();
  return {
    show,
    refresh,
    clear: placeholder,
    get currentId() { return current?.id ?? null; },
    rerender() { if (current) { dropMap(); render(current, { keepNotice: true }); } },
  };
}
