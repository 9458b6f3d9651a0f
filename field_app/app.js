/**
 * Sereno field app (officers): start-up, the hash router and the context every screen receives.
 *
 * Screens are functions `render(view, ctx)` that fill <main id="view"> and may return a cleanup function.
 * Routes: #/ duty and assignment · #/close/<assignment id> · #/new (incident raised in the field).
 * Without a session every route shows the sign-in form.
 */
import { createI18n } from '/shared/i18n.js';
import { createApiClient } from '/shared/api-client.js';
import { announce, focusHeading } from '/app/js/dom.js';
import { createSession } from './js/session.js';
import { createActions } from './js/actions.js';
import { createAssignments } from './js/assignments.js';
import { createDuty } from './js/duty.js';
import { createLive, registerPush } from './js/live.js';
import { createPanic } from './js/panic.js';
import { showAssignmentAlert, unlockSound } from './js/alert.js';
import { renderLogin } from './js/login.js';
import { renderHome } from './js/home.js';
import { renderClose } from './js/close-form.js';
import { loadCategories, renderNewIncident } from './js/new-incident.js';

const i18n = createI18n({
  loaders: { es: () => import('./i18n/es.js'), en: () => import('./i18n/en.js') },
  fallback: 'es',
  locales: { es: 'es-PE', en: 'en' },
  storageKey: 'sereno.field.lang',
});
const t = (key, params) => i18n.t(key, params);
const publicApi = createApiClient({ lang: () => i18n.lang });
const session = createSession({ publicApi });
const api = createApiClient({
  lang: () => i18n.lang,
  headers: () => session.headers(),
  onUnauthorized: () => session.onUnauthorized(),
});

const ctx = {
  i18n, t, api, publicApi, session,
  categories: [],
  selectedId: null, // the assignment the officer picked, else the most urgent one
  unlockSound,
  navigate(hash, { replace = false } = {}) {
    if (location.hash === hash || (hash === '#/' && !location.hash)) return route();
    if (replace) location.replace(hash);
    else location.hash = hash;
  },
  registerPush(ask = false) {
    return navigator.serviceWorker?.getRegistration('/field/')
      .then((registration) => registerPush({ api, publicApi, registration, ask }))
      .catch((error) => console.warn('push', error));
  },
};
ctx.duty = createDuty({ api, user: () => session.user });
ctx.assignments = createAssignments({ api, enabled: () => session.active });
ctx.actions = createActions({ api, session, t, onAnswer: (read) => ctx.assignments.apply(read) });

const view = document.getElementById('view');
let cleanup = null;
let loginNotice = '';
let panic = null;
let liveTimer = null;

const routes = [
  [/^#?\/?$/, () => renderHome(view, ctx)],
  [/^#\/close\/([^/]+)$/, (m) => renderClose(view, ctx, decodeURIComponent(m[1]))],
  [/^#\/new$/, () => renderNewIncident(view, ctx)],
];

function route() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  document.body.dataset.signedIn = String(session.active);
  showHeader();
  if (!session.active) {
    cleanup = renderLogin(view, ctx, { notice: loginNotice });
    return focusHeading(view);
  }
  const match = routes.map(([re, fn]) => [location.hash.match(re), fn]).find(([m]) => m);
  if (!match) return ctx.navigate('#/', { replace: true });
  cleanup = match[1](match[0]);
  focusHeading(view);
}

const live = createLive({
  session,
  onMessage(message) {
    const { type, data } = message;
    if (type === 'unit.updated' || type === 'unit.emergency') {
      ctx.duty.setUnit(data);
      panic?.onUnit(data);
      return;
    }
    const refreshed = ctx.assignments.refresh();
    if (type === 'assignment.created') {
      refreshed.then(() => {
        const assignment = ctx.assignments.find(data?.id) || data;
        // An incident the officer raised here arrives already on scene: nothing to alert about.
        if (!assignment || !['proposed', 'assigned'].includes(assignment.status)) return;
        ctx.selectedId = assignment.id;
        showAssignmentAlert(ctx, document.getElementById('alert-root'), assignment, () => ctx.navigate('#/'));
      });
    }
  },
  onState(connected) {
    clearTimeout(liveTimer);
    const banner = document.getElementById('live-status');
    banner.hidden = true;
    // Only a lasting loss is shown (no flicker on reconnect), and only while the socket is wanted.
    if (!connected) liveTimer = setTimeout(() => { banner.hidden = !(session.active && ctx.duty.on); }, 8000);
  },
});

/** The unit's socket is open only on duty: off duty the officer rides no unit and the server refuses it. */
function followDuty() {
  if (session.active && ctx.duty.on) live.start();
  else live.stop();
}

/** What runs while someone is signed in: live updates, assignments, position sharing, the queue. */
function signedIn() {
  loginNotice = '';
  followDuty();
  ctx.assignments.refresh();
  ctx.duty.resume();
  ctx.actions.outbox.resume();
  loadCategories(api, i18n.lang).then((list) => { ctx.categories = list; });
  ctx.registerPush(false);
}

session.onChange((reason) => {
  if (reason === 'refreshed') {
    if (ctx.actions.outbox.paused) ctx.actions.outbox.resume();
    return;
  }
  if (reason === 'login') {
    if (session.user?.role !== 'officer') {
      loginNotice = t('login.notOfficer');
      session.logout(api);
      return;
    }
    signedIn();
  } else {
    // Signed out or the session expired: stop everything that speaks for this officer.
    live.stop();
    ctx.duty.reset();
    ctx.assignments.clear();
    if (reason === 'logout') panic?.reset();
    if (reason === 'expired') loginNotice = t('login.expired');
    ctx.selectedId = null;
  }
  route();
});

ctx.actions.outbox.subscribe((event) => {
  if (event.type === 'sent' || event.type === 'failed') ctx.assignments.refresh();
  if (event.type === 'failed') announce(t('pending.failed', { detail: event.error?.detail || event.error?.code }));
  // 401 even after a refresh: try again shortly (no signal for the refresh), or sign-in will resume it.
  if (event.type === 'paused' && session.active) {
    session.refresh().then((ok) => { if (ok) ctx.actions.outbox.resume(); });
  }
});

function showHeader() {
  document.getElementById('logout').hidden = !session.active;
}

function showNetwork() {
  const banner = document.getElementById('net-status');
  banner.hidden = navigator.onLine;
  banner.textContent = navigator.onLine ? '' : t('net.offline');
}

function showPositionBanner() {
  const banner = document.getElementById('position-banner');
  const reason = session.active ? ctx.duty.reason : null;
  banner.hidden = !reason;
  banner.dataset.reason = reason || '';
  banner.querySelector('.reason').textContent = reason ? t(`position.${reason}`) : '';
  showHeader();
}

function setupChrome() {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', async () => {
      await i18n.setLang(button.dataset.lang);
      if (session.active) {
        ctx.categories = await loadCategories(api, i18n.lang);
        ctx.registerPush(false); // notifications come in the language of the subscription
      }
      route();
    });
  }
  i18n.onChange((lang) => {
    for (const button of document.querySelectorAll('[data-lang]')) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    }
    showNetwork();
    showPositionBanner();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    if (ctx.duty.on) await ctx.duty.stop().catch(() => {}); // best effort: the server also ends it
    await session.logout(api);
  });
  addEventListener('online', showNetwork);
  addEventListener('online', () => { if (session.active) ctx.assignments.refresh(); });
  addEventListener('offline', showNetwork);
  ctx.duty.onChange(() => { showPositionBanner(); followDuty(); });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && session.active) ctx.assignments.refresh();
  });
  addEventListener('focus', () => { if (session.active) ctx.assignments.refresh(); });
}

function setupServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const banner = document.getElementById('update-banner');
  navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).then((registration) => {
    // A new version waits for the officer's tap: never reload in the middle of closing a case.
    const offer = (worker) => {
      banner.hidden = false;
      banner.querySelector('button').onclick = () => {
        banner.dataset.accepted = '1';
        worker.postMessage({ type: 'skip-waiting' });
      };
    };
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
      });
    });
    if (session.active) ctx.registerPush(false);
  }).catch((error) => console.warn('service worker', error));
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (banner.dataset.accepted) location.reload();
  });
  // A push arrived while the app is open (or its notification was tapped): read the assignments again.
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'push' && session.active) ctx.assignments.refresh();
  });
}

async function start() {
  setupChrome();
  await i18n.init();
  showNetwork();
  panic = createPanic(ctx, document.getElementById('panic-area'));
  await ctx.actions.reload();
  addEventListener('hashchange', route);
  route();
  if (session.active) signedIn();
  ctx.actions.outbox.start();
  setupServiceWorker();
}

start();
