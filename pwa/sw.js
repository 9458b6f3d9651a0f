/*
 * Sereno citizen app service worker (served at /sw.js, scope /).
 *
 * - The app shell is precached under a versioned name and served cache-first: after one online visit
 *   the app opens and a report can be written with no network. The server sets VERSION to a hash of
 *   the app's files; a new file must be added to SHELL (a unit test checks). The old cache is dropped
 *   when the new worker activates.
 * - GET /api/v1/categories, /api/v1/tenant and /api/v1/participation/topics: network first (short timeout
 *   on 3G), cached per language.
 * - Everything else (API writes, reports, uploads, tiles, other apps under /) goes straight to the network:
 *   a POST is never cached or replayed here; the app's outbox owns retries.
 */
const VERSION = 'dev'; // replaced by the server with a hash of the app's files
const SHELL_CACHE = `sereno-pwa-shell-${VERSION}`;
const API_CACHE = 'sereno-pwa-api';
const NETWORK_TIMEOUT_MS = 4000;

const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/app/styles.css',
  '/app/app.js',
  '/app/i18n/es.js',
  '/app/i18n/en.js',
  '/app/js/confirmation.js',
  '/app/js/dom.js',
  '/app/js/geo.js',
  '/app/js/home.js',
  '/app/js/image.js',
  '/app/js/map.js',
  '/app/js/my-reports.js',
  '/app/js/participation-form.js',
  '/app/js/participation-sender.js',
  '/app/js/participation-status.js',
  '/app/js/photo-upload.js',
  '/app/js/report-sender.js',
  '/app/js/step-category.js',
  '/app/js/step-contact.js',
  '/app/js/step-details.js',
  '/app/js/step-location.js',
  '/app/js/step-photos.js',
  '/app/js/store.js',
  '/app/js/wizard.js',
  '/shared/api-client.js',
  '/shared/i18n.js',
  '/shared/idb.js',
  '/shared/offline-queue.js',
  '/shared/push.js',
  '/app/icons/icon.svg',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/icons/icon-192-maskable.png',
  '/app/icons/icon-512-maskable.png',
  '/app/vendor/leaflet/leaflet.js',
  '/app/vendor/leaflet/leaflet.css',
];
const SHELL_PATHS = new Set(SHELL);
const CACHED_API = new Set(['/api/v1/categories', '/api/v1/tenant', '/api/v1/participation/topics']);

self.addEventListener('install', (event) => {
  // cache: 'reload' skips the HTTP cache, so a new version never precaches stale files.
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) =>
    cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('sereno-pwa-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page asks for this once the citizen accepted the update (never in the middle of a report).
self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
});

async function shellFirst(request, key) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(key, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(request);
}

/** Network first with a timeout; the cached copy (per language) when the network is slow or down. */
async function networkFirst(request, url) {
  const lang = (request.headers.get('Accept-Language') || 'es').slice(0, 2);
  const key = `${url.origin}${url.pathname}?lang=${lang}`;
  const cache = await caches.open(API_CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(key, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
  } catch {
    /* offline: fall through to the cache */
  }
  const cached = await cache.match(key);
  if (cached) return cached;
  return network; // nothing cached: wait for the network after all (or fail as the network does)
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CACHED_API.has(url.pathname)) {
    event.respondWith(networkFirst(request, url));
  } else if (request.mode === 'navigate' && url.pathname === '/') {
    event.respondWith(shellFirst(request, '/'));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(shellFirst(request, url.pathname));
  }
});

// Push: a report the citizen follows changed status. Payload: {title, body, url, tag, data}.
self.addEventListener('push', (event) => {
  const message = event.data ? event.data.json() : { title: 'Sereno', body: '' };
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body, tag: message.tag || undefined, data: { url: message.url || '/' },
    icon: '/app/icons/icon-192.png', badge: '/app/icons/icon-192.png',
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data?.url || '/';
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window' })) {
      if ('focus' in client) { client.navigate(url); return client.focus(); }
    }
    return self.clients.openWindow(url);
  })());
});
