/**
 * Sereno command-center console: start-up, session, the three columns (queue/units · map · detail) and
 * the live messages that keep them current.
 *
 * The analytics view (supervisors, analysts, admins), the participation inbox (clerks, supervisors,
 * admins: citizens' complaints, suggestions and questions to the municipality's departments) and the alarm
 * partners (admins) are other screens behind the header's view switch, each loaded on first use. Clerks work
 * only the participation inbox: they land on it and get no incident queue, map or live socket (the server
 * refuses them those).
 *
 * Every view gets `ctx`: translations, the authenticated API, the store, the map, the user's rights and
 * the two selections (incident, unit). Live messages change the store; the views listen to the store.
 */
import { createI18n } from '/shared/i18n.js';
import { createApiClient } from '/shared/api-client.js';
import { createSession } from './js/session.js';
import { createStore, sameId } from './js/store.js';
import { createLive } from './js/live.js';
import { createLogin } from './js/login.js';
import { createQueue } from './js/queue.js';
import { createDetail } from './js/detail.js';
import { createUnitsPanel } from './js/units.js';
import { createEmergencyAlert } from './js/emergency.js';
import { createNewIncident } from './js/new-incident.js';
import { createConsoleMap, loadLeaflet } from './js/map.js';
import { beepP1 } from './js/sound.js';
import { announce, h, label, mount } from './js/dom.js';

const POLL_WHILE_OFFLINE_MS = 20000;
/** The screens, who may open them and the address that opens one after login. */
const VIEWS = {
  operations: { roles: ['dispatcher', 'supervisor', 'analyst', 'admin'], hash: '' },
  analytics: { roles: ['supervisor', 'analyst', 'admin'], hash: '#analisis' },
  participation: { roles: ['clerk', 'supervisor', 'admin'], hash: '#participacion' },
  partners: { roles: ['admin'], hash: '#socios' },
};
/** The other screens: loaded the first time they open, their frame (`<main id>`) and heading. */
const LAZY = {
  analytics: { load: async () => (await import('./js/analytics/view.js')).createAnalyticsView, title: 'an-title' },
  participation: { load: async () => (await import('./js/participation/view.js')).createParticipationView, title: 'pa-title' },
  partners: { load: async () => (await import('./js/partners/view.js')).createPartnersView, title: 'ap-title' },
};
const may = (view, role) => VIEWS[view].roles.includes(role);
const $ = (id) => document.getElementById(id);

const i18n = createI18n({
  loaders: { es: () => import('./i18n/es.js'), en: () => import('./i18n/en.js') },
  fallback: 'es',
  locales: { es: 'es-PE', en: 'en' },
  storageKey: 'sereno.console.lang',
});
const t = (key, params) => i18n.t(key, params);
const api = createApiClient({ lang: () => i18n.lang });
const store = createStore();
const session = createSession(api, { onExpired: () => signOut('login.expired') });

const ctx = {
  i18n,
  t,
  label: (kind, code) => label(t, `${kind}.${code}`, code),
  api: session,
  store,
  map: null,
  categories: [],
  tenant: null,
  canAct: false,
  isSupervisor: false,
  onSelectIncident: (id) => selectIncident(id, { focus: true }),
  onSelectUnit: (id, options) => selectUnit(id, options),
  toast,
};

const queue = createQueue($('queue-panel'), $('queue-count'), { store, ctx });
const units = createUnitsPanel($('units-panel'), $('units-count'), ctx);
const detail = createDetail($('detail'), ctx);
const emergency = createEmergencyAlert($('emergency-alert'), ctx);
const newIncident = createNewIncident($('new-incident-panel'), ctx, {
  onCreated: (incident) => { store.upsertIncident(incident); selectIncident(incident.id, { focus: true }); toast(t('done.created', { code: incident.code })); },
  onClose: () => { $('detail').hidden = false; $('map-hint').hidden = true; },
});
const live = createLive({ session, onMessage, onOpen: () => reload(), onStateChange: showLiveState });
const login = createLogin({ session, t, onSignedIn: enter });
const alerted = new Set(); // units whose emergency has been raised (once per emergency)
let pollTimer = null;
let detailTimer = null;
const opened = {}; // name → the view, once loaded (LAZY)
const otherViewOpen = () => Object.values(opened).some((view) => view.isOpen);

function toast(text, kind = 'ok') {
  const el = $('toast');
  el.className = `toast ${kind} is-visible`;
  el.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = 'toast'; el.textContent = ''; }, 6000);
}

/** Name over role, two short lines (the header stays one row at 1024 px); read as "name, role". */
function showUser() {
  const user = session.user;
  mount($('user-info'), h('span', { class: 'user-name' }, user.full_name || user.username),
    h('span', { class: 'visually-hidden' }, ', '), h('span', { class: 'user-role' }, ctx.label('role', user.role)));
}

function showLiveState(state) {
  const el = $('live-indicator');
  el.dataset.state = state;
  el.querySelector('.live-text').textContent = t(state === 'live' ? 'live.on' : 'live.offline');
}

function selectIncident(id, { focus = false } = {}) {
  if (otherViewOpen()) showView('operations');
  if (newIncident.isOpen) newIncident.close();
  showTab('queue');
  queue.select(id);
  ctx.map?.selectIncident(id);
  detail.show(id, { focus });
}

function selectUnit(id, { center = true } = {}) {
  if (otherViewOpen()) showView('operations'); // "Atender" on an emergency, from another view
  showTab('units');
  const unit = store.getUnit(id);
  if (center && unit?.location) ctx.map?.centerOn(unit.location.lat, unit.location.lon);
  $('units-panel').querySelector(`[data-unit-id="${CSS.escape(String(id))}"] .unit-name`)?.focus();
}

function refreshDetailSoon(incidentId) {
  if (!sameId(detail.currentId, incidentId)) return;
  clearTimeout(detailTimer);
  detailTimer = setTimeout(() => detail.refresh(), 250);
}

function raiseIfNew(unit) {
  if (unit.emergency && !alerted.has(unit.id)) { alerted.add(unit.id); emergency.raise(unit); }
  if (!unit.emergency) alerted.delete(unit.id);
}

/** Live messages: change the store; the queue, the map and the units tab follow it. */
function onMessage({ type, data }) {
  if (!data) return;
  switch (type) {
    case 'incident.created':
      if (store.upsertIncident(data) === 'added') {
        queue.highlight(data.id, 30000);
        if (data.priority === 1) beepP1();
        announce(t('live.newIncident', { p: data.priority, code: data.code, category: data.category?.name || '' }), { assertive: data.priority === 1 });
      }
      break;
    case 'incident.updated':
      store.upsertIncident(data);
      refreshDetailSoon(data.id);
      break;
    case 'assignment.created':
    case 'assignment.updated':
      store.applyAssignment(data);
      refreshDetailSoon(data.incident_id);
      break;
    case 'assignment.escalated':
      store.applyAssignment({ ...data, escalated: true });
      queue.highlight(data.incident_id, 120000);
      announce(t('live.escalated', { unit: data.call_sign, code: store.getIncident(data.incident_id)?.code || '' }), { assertive: true });
      refreshDetailSoon(data.incident_id);
      break;
    case 'unit.updated':
      store.upsertUnit(data);
      emergency.update(data);
      raiseIfNew(data);
      break;
    case 'participation.updated':
      opened.participation?.onLive(data);
      break;
    case 'alarm.device_silent':
      announce(t('live.deviceSilent', { name: data.name, partner: data.partner || '' }), { assertive: false });
      break;
    case 'unit.emergency':
      store.upsertUnit(data);
      alerted.add(data.id);
      emergency.raise(data);
      break;
    default:
      break;
  }
}

/** The whole picture again: at start, after each reconnection, and every 20 s while the link is down. */
async function reload() {
  const seq = ++reload.seq;
  try {
    const [incidents, unitList] = await Promise.all([
      session.get('/api/v1/incidents?open=true&limit=200'),
      session.get('/api/v1/units'),
    ]);
    if (seq !== reload.seq) return; // a later reload (e.g. another language) wins
    store.setIncidents(incidents);
    store.setUnits(unitList);
    unitList.forEach(raiseIfNew);
    if (detail.currentId) detail.refresh();
  } catch (error) {
    if (error.status !== 401) toast(error.status === 0 ? t('error.network') : (error.detail || t('error.generic')), 'error');
  }
}

reload.seq = 0;

async function loadReference() {
  const seq = ++loadReference.seq;
  const [categories, tenant] = await Promise.allSettled([api.get('/api/v1/categories'), api.get('/api/v1/tenant')]);
  if (seq !== loadReference.seq) return;
  if (categories.status === 'fulfilled') ctx.categories = categories.value;
  if (tenant.status === 'fulfilled') {
    ctx.tenant = tenant.value;
    $('tenant-name').textContent = tenant.value.name;
  }
}
loadReference.seq = 0;

async function setupMap() {
  try {
    const L = await loadLeaflet();
    if (ctx.map) return;
    const center = ctx.tenant?.center || { lat: -8.1116, lon: -79.0287 };
    ctx.map = createConsoleMap(L, $('map'), { center, area: ctx.tenant?.service_area, ctx });
    const sync = () => { ctx.map.syncIncidents(store.incidents.values()); ctx.map.syncUnits(store.units.values()); };
    let frame = 0;
    const later = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; sync(); }); };
    store.on('incidents', later);
    store.on('units', later);
    sync();
  } catch {
    $('map').textContent = t('map.failed');
  }
}

/** Operations (queue · map · detail) or one of the other views (LAZY), loaded the first time. */
async function showView(name, { focus = false } = {}) {
  const role = session.user?.role;
  const view = may(name, role) ? name : (may('operations', role) ? 'operations' : 'participation');
  for (const button of document.querySelectorAll('[data-view]')) {
    button.setAttribute('aria-pressed', String(button.dataset.view === view));
  }
  $('console').hidden = view !== 'operations';
  $('skip-links').hidden = view !== 'operations';
  history.replaceState(null, '', VIEWS[view].hash || location.pathname + location.search);
  for (const [key, other] of Object.entries(opened)) if (key !== view) other.close();
  if (view === 'operations') {
    ctx.map?.map.invalidateSize(); // it was measured while hidden
    return;
  }
  if (!opened[view]) {
    const create = await LAZY[view].load();
    opened[view] ||= create($(view), ctx);
  }
  await opened[view].open();
  if (focus) $(LAZY[view].title).focus(); // screen readers hear where they are now
}

/** Keyboard focus that is nowhere yet (just signed in) goes to the view's main list. */
const focusIsNowhere = () => !document.activeElement || document.activeElement === document.body
  || $('login').contains(document.activeElement);

async function enter(user) {
  // Only dispatchers and supervisors change incidents (admins manage accounts; analysts read).
  ctx.canAct = ['dispatcher', 'supervisor'].includes(user.role);
  ctx.isSupervisor = user.role === 'supervisor';
  document.body.classList.toggle('read-only', !ctx.canAct);
  showUser();
  for (const id of ['user-info', 'logout-btn']) $(id).hidden = false;
  $('new-incident-btn').hidden = !ctx.canAct;
  const views = Object.keys(VIEWS).filter((name) => may(name, user.role));
  for (const button of document.querySelectorAll('[data-view]')) button.hidden = !views.includes(button.dataset.view);
  $('view-switch').hidden = views.length < 2 && !views.includes('participation');
  await loadReference();
  const wanted = Object.keys(VIEWS).find((name) => VIEWS[name].hash && VIEWS[name].hash === location.hash);
  if (!may('operations', user.role)) {
    // A clerk: the participation inbox is their whole console (no incidents, map or live socket).
    await showView('participation');
    if (focusIsNowhere()) opened.participation?.focus();
    return;
  }
  $('live-indicator').hidden = false;
  showLiveState(live.state);
  $('console').hidden = false;
  $('skip-links').hidden = false;
  await setupMap();
  await reload();
  live.start();
  clearInterval(pollTimer);
  pollTimer = setInterval(() => { if (live.state !== 'live') reload(); }, POLL_WHILE_OFFLINE_MS);
  queue.render();
  units.render();
  if (wanted && may(wanted, user.role)) {
    await showView(wanted);
    if (wanted === 'participation' && focusIsNowhere()) opened.participation?.focus();
    return;
  }
  // Keyboard users start in the queue (its one Tab stop), the screen's main list.
  if (focusIsNowhere()) {
    ($('queue-panel').querySelector('.queue-item[tabindex="0"]') || $('tab-queue')).focus();
  }
}

function signOut(messageKey) {
  live.stop();
  clearInterval(pollTimer);
  for (const id of ['user-info', 'logout-btn', 'live-indicator', 'console', 'new-incident-btn', 'skip-links', 'view-switch']) $(id).hidden = true;
  for (const view of Object.values(opened)) { view.close(); view.reset?.(); }
  for (const button of document.querySelectorAll('[data-view]')) button.setAttribute('aria-pressed', String(button.dataset.view === 'operations'));
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  store.setIncidents([]);
  store.setUnits([]);
  alerted.clear();
  detail.clear();
  if (newIncident.isOpen) newIncident.close();
  login.show(messageKey);
}

function showTab(name) {
  for (const [tab, panel] of [['tab-queue', 'queue-panel'], ['tab-units', 'units-panel']]) {
    const active = tab === `tab-${name}`;
    $(tab).setAttribute('aria-selected', String(active));
    $(tab).tabIndex = active ? 0 : -1;
    $(panel).hidden = !active;
  }
}

function bindChrome() {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => i18n.setLang(button.dataset.lang));
  }
  i18n.onChange((lang) => {
    for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    showLiveState(live.state);
    if (!session.user || $('logout-btn').hidden) return; // not signed in
    showUser();
    ctx.map?.relabel();
    // Names of categories, topics and departments come from the server in the chosen language.
    loadReference().then(() => {
      if (may('operations', session.user?.role)) reload();
      detail.rerender();
      for (const view of Object.values(opened)) view.relabel();
    });
    queue.render();
    units.render();
    emergency.rerender();
  });
  $('logout-btn').addEventListener('click', async () => { await session.logout(); signOut(); });
  $('new-incident-btn').addEventListener('click', async () => {
    if (otherViewOpen()) await showView('operations'); // the form lives there
    $('detail').hidden = true;
    $('map-hint').hidden = false;
    newIncident.open();
  });
  for (const button of document.querySelectorAll('[data-view]')) {
    button.addEventListener('click', () => showView(button.dataset.view, { focus: true }));
  }
  $('tab-queue').addEventListener('click', () => showTab('queue'));
  $('tab-units').addEventListener('click', () => showTab('units'));
  document.querySelector('.tabs').addEventListener('keydown', (event) => {
    if (!['ArrowLeft', 'ArrowRight'].includes(event.key)) return;
    const next = event.target.id === 'tab-queue' ? 'units' : 'queue';
    showTab(next);
    $(`tab-${next}`).focus();
  });
  $('photo-viewer').addEventListener('click', (event) => { if (event.target === event.currentTarget) event.currentTarget.close(); });
}

async function start() {
  bindChrome();
  await i18n.init();
  detail.clear(); // its placeholder, now that there are strings to draw it with
  const user = await session.restore();
  if (user) await login.admit(user);
  else login.show();
}

start();
