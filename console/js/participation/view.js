/**
 * The participation view: the municipality's inbox of complaints, suggestions and questions
 * (docs/participation.md). Clerks work the departments an admin made them members of and land here;
 * supervisors and admins see every department and reach it through the header's view switch; admins also get
 * the departments panel (deadlines, active, members).
 *
 * The list is reloaded every 45 s while the view is open and, for users with a console socket (supervisors,
 * admins), shortly after each `participation.updated` live message. Clerks have no socket (the server's
 * console channel carries incidents they may not read), so polling is what keeps their list current.
 *
 * Loaded on first use; the markup's frame is static in index.html (`#participation`), this module fills it.
 */
import { h, mount, loadStylesheet } from '../dom.js';
import { createInboxList, departmentName, renderCounts } from './list.js';
import { createRequestPanel } from './detail.js';
import { createDepartmentsPanel } from './departments.js';

const INBOX = '/api/v1/participation/inbox';
const DEPARTMENTS = '/api/v1/participation/departments';
const STYLESHEET = '/console/participation.css';
const PAGE = 50;
const MAX_PAGE = 200; // the server's limit: a refresh reloads what is on screen, up to this many
const REFRESH_MS = 45000;
const LIVE_DEBOUNCE_MS = 800;
const MANAGERS = new Set(['supervisor', 'admin']);

/** `root` is `#participation`; `ctx` the console's (t, i18n, label, api = the session, tenant, toast). */
export function createParticipationView(root, ctx) {
  const $ = (id) => root.querySelector(`#${id}`);
  const filters = { department: '', status: 'open', overdue: false };
  let departments = [];
  let departmentsLoaded = false;
  let items = [];
  let counts = {};
  let nextCursor = null;
  let seq = 0;
  let timer = null;
  let liveTimer = null;
  let panelName = 'inbox';
  let list = null;
  let detail = null;
  let departmentsPanel = null;

  const user = () => ctx.api.user || {};
  const isManager = () => MANAGERS.has(user().role);
  /** The departments this user works: every one for managers, their memberships for clerks. */
  const mine = () => (isManager() ? departments : departments.filter((d) => d.members.includes(user().id)));

  const viewCtx = {
    t: ctx.t,
    i18n: ctx.i18n,
    label: ctx.label,
    api: ctx.api,
    get tenant() { return ctx.tenant; },
    departments: () => departments,
    // Until the departments are known the server's refusal is the check (it refuses another department's step).
    isMember: (code) => isManager() || !departmentsLoaded || mine().some((d) => d.code === code),
    hoursLeft: (id) => items.find((i) => String(i.id) === String(id))?.hours_left ?? null,
    get canReopen() { return isManager(); },
  };

  function message(text, kind = '') {
    const el = $('pa-message');
    el.className = `pa-message ${kind}`;
    el.textContent = text;
  }

  const errorText = (error) => (error.status === 0 ? ctx.t('error.network')
    : error.status === 403 ? (error.detail || ctx.t('error.forbidden')) : (error.detail || ctx.t('error.generic')));

  function renderFilters() {
    const select = $('pa-department');
    const shown = mine();
    if (filters.department && !shown.some((d) => d.code === filters.department)) filters.department = '';
    mount(select,
      h('option', { value: '' }, ctx.t(isManager() ? 'pa.filter.allDepartments' : 'pa.filter.myDepartments')),
      shown.map((d) => h('option', { value: d.code, selected: d.code === filters.department },
        departmentName(ctx, d), d.active ? '' : ` (${ctx.t('pa.dep.inactive')})`)));
    select.value = filters.department;
    $('pa-status').value = filters.status;
    $('pa-overdue').checked = filters.overdue;
  }

  function query({ cursor = null } = {}) {
    const limit = cursor ? PAGE : Math.min(MAX_PAGE, Math.max(PAGE, items.length));
    const params = new URLSearchParams({ status: filters.status, limit: String(limit) });
    if (filters.department) params.set('department', filters.department);
    if (filters.overdue) params.set('overdue', 'true');
    if (cursor) params.set('cursor', cursor);
    return params;
  }

  async function loadDepartments() {
    try {
      departments = await ctx.api.get(DEPARTMENTS);
      departmentsLoaded = true;
    } catch (error) {
      message(errorText(error), 'error');
    }
    renderFilters();
  }

  /** The first page again (as many rows as are on screen), or the next page with `more`. */
  async function loadInbox({ more = false } = {}) {
    const mineSeq = ++seq;
    const params = query({ cursor: more ? nextCursor : null });
    root.dataset.state = 'loading';
    try {
      const page = await ctx.api.get(`${INBOX}?${params}`);
      if (mineSeq !== seq) return; // a later load (filters, language) wins
      items = more ? [...items, ...page.items] : page.items;
      nextCursor = page.next_cursor;
      counts = page;
      params.delete('cursor');
      params.delete('limit');
      root.dataset.query = params.toString();
      renderInbox();
      root.dataset.state = 'ready';
      if ($('pa-message').classList.contains('error')) message('');
    } catch (error) {
      if (mineSeq !== seq) return;
      root.dataset.state = 'error';
      if (error.status !== 401) message(errorText(error), 'error');
    }
  }

  function renderInbox() {
    list.render(items);
    list.select(detail.currentId);
    renderCounts($('pa-counts'), mine(), counts, ctx, { onFilter: (code) => { setFilter({ department: code }); $('pa-department').focus(); } });
    const empty = $('pa-empty');
    empty.hidden = items.length > 0;
    empty.textContent = departmentsLoaded && !isManager() && !mine().length ? ctx.t('pa.empty.noDepartments')
      : ctx.t(filters.overdue ? 'pa.empty.overdue' : 'pa.empty.none');
    $('pa-list-summary').textContent = items.length
      ? ctx.t(nextCursor ? 'pa.list.shownMore' : 'pa.list.shown', { n: items.length })
      : '';
    $('pa-more').hidden = !nextCursor;
  }

  function setFilter(change) {
    Object.assign(filters, change);
    renderFilters();
    items = []; // a new list starts with one page
    nextCursor = null;
    loadInbox();
  }

  function openRequest(id) {
    list.select(id);
    detail.show(id, { focus: true });
  }

  function onChanged() {
    loadInbox(); // the list and its counts per department
  }

  function showPanel(name, { focus = false } = {}) {
    panelName = name === 'departments' && user().role === 'admin' ? 'departments' : 'inbox';
    for (const button of root.querySelectorAll('[data-pa-panel]')) {
      button.setAttribute('aria-pressed', String(button.dataset.paPanel === panelName));
    }
    $('pa-inbox').hidden = panelName !== 'inbox';
    $('pa-departments').hidden = panelName !== 'departments';
    if (panelName === 'departments') {
      return departmentsPanel.load().then(() => { if (focus) $('pa-dep-title')?.focus(); });
    }
    return loadInbox();
  }

  function tick() {
    if (document.hidden || root.hidden) return;
    if (panelName === 'inbox') { loadInbox(); detail.refresh(); }
  }

  function init() {
    list = createInboxList($('pa-list'), ctx, { onOpen: openRequest });
    detail = createRequestPanel($('pa-detail'), viewCtx, { onChanged });
    departmentsPanel = createDepartmentsPanel($('pa-departments'), viewCtx, { onChanged: () => loadDepartments().then(renderInbox) });
    $('pa-department').addEventListener('change', (e) => setFilter({ department: e.target.value }));
    $('pa-status').addEventListener('change', (e) => setFilter({ status: e.target.value }));
    $('pa-overdue').addEventListener('change', (e) => setFilter({ overdue: e.target.checked }));
    $('pa-filters').addEventListener('submit', (e) => e.preventDefault());
    $('pa-more').addEventListener('click', async () => {
      const before = items.length;
      await loadInbox({ more: true });
      list.focusAt(before); // the first of the new rows (the button may be gone now)
    });
    for (const button of root.querySelectorAll('[data-pa-panel]')) {
      button.addEventListener('click', () => showPanel(button.dataset.paPanel, { focus: true }));
    }
  }

  let initialised = false;
  return {
    /** Show the view and load departments and the inbox. */
    async open() {
      if (!initialised) { init(); initialised = true; }
      $('pa-panels').hidden = user().role !== 'admin';
      await loadStylesheet(STYLESHEET);
      root.hidden = false;
      await loadDepartments();
      await showPanel(panelName);
      clearInterval(timer);
      timer = setInterval(tick, REFRESH_MS);
    },
    close() {
      root.hidden = true;
      clearInterval(timer);
      clearTimeout(liveTimer);
    },
    /** Signed out: nothing of this user's is kept for the next one. */
    reset() {
      if (!initialised) return;
      Object.assign(filters, { department: '', status: 'open', overdue: false });
      departments = [];
      departmentsLoaded = false;
      items = [];
      counts = {};
      nextCursor = null;
      seq += 1;
      panelName = 'inbox';
      list.render([]);
      detail.clear();
      message('');
    },
    /** A `participation.updated` live message (supervisors and admins): reload soon, once for a burst. */
    onLive(data) {
      if (root.hidden) return; // opening the view loads everything anyway
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => {
        if (panelName === 'inbox') loadInbox();
        else departmentsPanel.load();
        if (data?.id != null && String(data.id) === String(detail.currentId)) detail.refresh();
      }, LIVE_DEBOUNCE_MS);
    },
    /** After a language change: topic and department names come from the server. */
    relabel() {
      if (!initialised) return;
      renderFilters();
      departmentsPanel.relabel();
      if (root.hidden) return;
      loadInbox();
      if (detail.currentId != null) detail.show(detail.currentId);
    },
    /** Where the keyboard goes when the view opens: the list (one Tab stop), else the heading. */
    focus() {
      if (panelName === 'inbox' && list.entry) list.entry.focus();
      else $('pa-title').focus();
    },
    get isOpen() { return !root.hidden; },
  };
}
