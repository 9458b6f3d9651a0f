/**
 * Sereno citizen app: start-up, the hash router and the context every screen receives.
 *
 * Screens are functions `render(view, ctx)` that fill <main id="view"> and may return a cleanup function.
 * Routes: #/ home · #/report/1..5 the report steps · #/done confirmation · #/reports · #/reports/<code>.
 */
import { createI18n } from '/shared/i18n.js';
import { createApiClient } from '/shared/api-client.js';
import { createOutbox } from '/shared/offline-queue.js';
import { createReportSender } from './js/report-sender.js';
import { cachedGet, saveReport } from './js/store.js';
import { announce, focusHeading } from './js/dom.js';
import { renderHome } from './js/home.js';
import { renderStep } from './js/wizard.js';
import { renderConfirmation } from './js/confirmation.js';
import { renderMyReports, renderReportDetail } from './js/my-reports.js';

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
  draft: null, // the report being written (see wizard.js)
  lastResult: null, // what the confirmation screen shows
  installPrompt: null,
  navigate(hash, { replace = false } = {}) {
    if (replace) location.replace(hash);
    else location.hash = hash;
  },
  render: () => route(),
};

ctx.outbox = createOutbox({
  dbName: 'sereno-pwa-outbox',
  send: createReportSender(api),
  // The report is kept in "my reports" before the outbox forgets it: a crash in between means a replay.
  onSent: (record, result) => saveReport({
    code: result.code,
    token: result.tracking_token,
    status: result.status,
    statusLabel: null,
    reportedAt: result.reported_at,
    categoryCode: record.data.categoryCode,
    categoryName: record.data.categoryName,
    description: record.data.report.description.slice(0, 140),
    outboxId: record.id,
  }),
});

const view = document.getElementById('view');
let cleanup = null;

const routes = [
  [/^#?\/?$/, () => renderHome(view, ctx)],
  [/^#\/report\/(\d)$/, (m) => renderStep(view, ctx, Number(m[1]))],
  [/^#\/done$/, () => renderConfirmation(view, ctx)],
  [/^#\/reports$/, () => renderMyReports(view, ctx)],
  [/^#\/reports\/(.+)$/, (m) => renderReportDetail(view, ctx, decodeURIComponent(m[1]))],
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
  const [tenant, categories] = await Promise.allSettled([
    cachedGet(api, '/api/v1/tenant', i18n.lang),
    cachedGet(api, '/api/v1/categories', i18n.lang),
  ]);
  if (tenant.status === 'fulfilled') ctx.tenant = tenant.value.data;
  if (categories.status === 'fulfilled') ctx.categories = categories.value.data;
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
    if (event.type === 'sent' && ctx.draft?.recordId !== event.id) {
      announce(ctx.t('outbox.sentLater', { code: event.result.code }));
    }
  });
  await loadConfig();
  addEventListener('hashchange', route);
  route();
  ctx.outbox.start();
  setupServiceWorker();
}

start();
