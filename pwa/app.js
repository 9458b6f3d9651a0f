/**
 * Sereno citizen app: start-up, the hash router and the context every screen receives.
 *
 * Screens are functions `render(view, ctx)` that fill <main id="view"> and may return a cleanup function.
 * Routes: #/ home · #/report/1..5 the report steps · #/done confirmation · #/reports · #/reports/<code> ·
 * #/participation the complaint / suggestion / question form · #/participation/done · #/requests/<code>.
 */
import { createI18n } from '/shared/i18n.js';
import { createApiClient } from '/shared/api-client.js';
import { createOutbox } from '/shared/offline-queue.js';
import { createReportSender, keepReport } from './js/report-sender.js';
import { createParticipationSender, keepRequest, KIND as PARTICIPATION } from './js/participation-sender.js';
import { cachedGet } from './js/store.js';
import { announce, focusHeading } from './js/dom.js';
import { renderHome } from './js/home.js';
import { renderStep } from './js/wizard.js';
import { renderConfirmation } from './js/confirmation.js';
import { renderMyReports, renderReportDetail } from './js/my-reports.js';
import { renderParticipation, renderParticipationDone } from './js/participation-form.js';
import { renderRequestDetail } from './js/participation-status.js';

const i18n = createI18n({
  loaders: { es: () => import('./i18n/es.js'), en: () => import('./i18n/en.js') },
  fallback: 'es',
  locales: { es: 'es-PE', en: 'en' },
});
const api = createApiClient({ lang: () => i18n.lang });

const ctx = {
  i18n,
  t: (key, params) => i18n.t(key, params),
  api,
  tenant: null,
  categories: [],
  topics: [], // what a complaint, suggestion or question may be about
  draft: null, // the report being written (see wizard.js)
  participationDraft: null, // the request being written (see participation-form.js)
  lastResult: null, // what the confirmation screen shows
  lastRequest: null, // what the participation confirmation shows
  installPrompt: null,
  navigate(hash, { replace = false } = {}) {
    if (replace) location.replace(hash);
    else location.hash = hash;
  },
  render: () => route(),
};

// One outbox for both: whatever the citizen wrote goes out in order, once, when the signal allows.
ctx.outbox = createOutbox({
  dbName: 'sereno-pwa-outbox',
  kinds: {
    report: { send: createReportSender(api), onSent: keepReport },
    [PARTICIPATION]: { send: createParticipationSender(api), onSent: keepRequest },
  },
  defaultKind: 'report', // records stored before the outbox had kinds are reports
});

const view = document.getElementById('view');
let cleanup = null;

const routes = [
  [/^#?\/?$/, () => renderHome(view, ctx)],
  [/^#\/report\/(\d)$/, (m) => renderStep(view, ctx, Number(m[1]))],
  [/^#\/done$/, () => renderConfirmation(view, ctx)],
  [/^#\/reports$/, () => renderMyReports(view, ctx)],
  [/^#\/reports\/(.+)$/, (m) => renderReportDetail(view, ctx, decodeURIComponent(m[1]))],
  [/^#\/participation$/, () => renderParticipation(view, ctx)],
  [/^#\/participation\/done$/, () => renderParticipationDone(view, ctx)],
  [/^#\/requests\/(.+)$/, (m) => renderRequestDetail(view, ctx, decodeURIComponent(m[1]))],
];

function route() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  const hash = location.hash;
  const match = routes.map(([re, fn]) => [hash.match(re), fn]).find(([m]) => m);
  if (!match) return ctx.navigate('#/', { replace: true });
  cleanup = match[1](match[0]);
  focusHeading(view);
}

async function loadConfig() {
  const [tenant, categories, topics] = await Promise.allSettled([
    cachedGet(api, '/api/v1/tenant', i18n.lang),
    cachedGet(api, '/api/v1/categories', i18n.lang),
    // Loaded with the rest (a small answer), so the form works offline even if never opened online.
    cachedGet(api, '/api/v1/participation/topics', i18n.lang),
  ]);
  if (tenant.status === 'fulfilled') ctx.tenant = tenant.value.data;
  if (categories.status === 'fulfilled') ctx.categories = categories.value.data;
  if (topics.status === 'fulfilled') ctx.topics = topics.value.data;
  showTenant();
}

function showTenant() {
  const phone = ctx.tenant?.emergency_phone;
  const bar = document.getElementById('emergency-bar');
  bar.hidden = !phone;
  if (phone) {
    const link = document.getElementById('emergency-link');
    link.href = `tel:${phone}`;
    link.textContent = ctx.t('emergency.bar', { phone });
  }
  document.getElementById('tenant-name').textContent = ctx.tenant?.name || 'Sereno';
}

function showNetwork() {
  const banner = document.getElementById('net-status');
  banner.hidden = navigator.onLine;
  banner.textContent = navigator.onLine ? '' : ctx.t('net.offline');
}

function setupLanguageSwitch() {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', async () => {
      await i18n.setLang(button.dataset.lang);
      await loadConfig(); // category names come from the server in the chosen language
      route();
    });
  }
  i18n.onChange((lang) => {
    for (const button of document.querySelectorAll('[data-lang]')) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    }
    showNetwork();
    showTenant();
  });
}

function setupServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').then((registration) => {
    // A new version waits until the citizen agrees, so a report being written is never reloaded away.
    const offer = (worker) => {
      const banner = document.getElementById('update-banner');
      banner.hidden = false;
      banner.querySelector('button').onclick = () => worker.postMessage({ type: 'skip-waiting' });
    };
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
      });
    });
  }).catch((error) => console.warn('service worker', error));
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloading || !document.getElementById('update-banner').dataset.accepted) return;
    reloading = true;
    location.reload();
  });
  document.querySelector('#update-banner button').addEventListener('click', (event) => {
    event.currentTarget.closest('#update-banner').dataset.accepted = '1';
  });
}

async function start() {
  setupLanguageSwitch();
  await i18n.init();
  showNetwork();
  addEventListener('online', showNetwork);
  addEventListener('offline', showNetwork);
  addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    ctx.installPrompt = event;
    if (!location.hash || location.hash === '#/') route();
  });
  ctx.outbox.subscribe((event) => {
    if (event.type !== 'sent' || [ctx.draft?.recordId, ctx.participationDraft?.recordId].includes(event.id)) return;
    const key = event.kind === PARTICIPATION ? 'outbox.requestSentLater' : 'outbox.sentLater';
    announce(ctx.t(key, { code: event.result.code }));
  });
  await loadConfig();
  addEventListener('hashchange', route);
  route();
  ctx.outbox.start();
  setupServiceWorker();
}

start();
