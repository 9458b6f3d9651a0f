/*
 * Sereno field app service worker (served at /field/sw.js, scope /field/).
 *
 * - The app shell (this app's files, the shared modules, the citizen app's image/map/DOM helpers it
 *   imports, Leaflet, icons) is precached under a versioned name and served cache-first, so the app opens
 *   with no signal. The server sets VERSION to a hash of the files; a new file must be added to SHELL.
 * - The API is never cached here: assignments are kept by the app itself, and writes (status, closure,
 *   incidents) are retried only by the app's outbox, exactly once.
 * - Web Push: shows the notification and, on a tap, focuses the open field app or opens /field/.
 */
const VERSION = 'dev'; // replaced by the server with a hash of the app's files
const SHELL_CACHE = `sereno-field-shell-${VERSION}`;

const SHELL = [
  '/field/',
  '/field/manifest.webmanifest',
  '/field/styles.css',
  '/field/app.js',
  '/field/i18n/es.js',
  '/field/i18n/en.js',
  '/field/js/actions.js',
  '/field/js/alert.js',
  '/field/js/assignments.js',
  '/field/js/card.js',
  '/field/js/close-form.js',
  '/field/js/duty.js',
  '/field/js/home.js',
  '/field/js/live.js',
  '/field/js/login.js',
  '/field/js/mini-map.js',
  '/field/js/new-incident.js',
  '/field/js/panic.js',
  '/field/js/pending.js',
  '/field/js/session.js',
  '/shared/api-client.js',
  '/shared/i18n.js',
  '/shared/idb.js',
  '/shared/offline-queue.js',
  '/app/js/dom.js',
  '/app/js/image.js',
  '/app/js/map.js',
  '/app/icons/icon.svg',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/vendor/leaflet/leaflet.js',
  '/app/vendor/leaflet/leaflet.css',
];
const SHELL_PATHS = new Set(SHELL);

self.addEventListener('install', (event) => {
  // cache: 'reload' skips the HTTP cache, so a new version never precaches stale files.
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) =>
    cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('sereno-field-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page asks for this once the officer accepted the update.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
});

async function shellFirst(request, key) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(key, { ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && (url.pathname === '/field/' || url.pathname === '/field')) {
    event.respondWith(shellFirst(request, '/field/'));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(shellFirst(request, url.pathname));
  }
});

/** Payloads carry at most what the officer may see; anything missing gets a plain default. */
function notificationFrom(payload) {
  const data = payload.data && typeof payload.data === 'object' ? payload.data : {};
  const incident = data.incident || {};
  const title = payload.title || (payload.type === 'assignment.created' ? 'Nueva asignación' : 'Sereno Campo');
  const body = payload.body || [incident.code, incident.category?.name].filter(Boolean).join(' · ');
  return {
    title,
    options: {
      body,
      tag: payload.tag || (data.id != null ? `assignment-${data.id}` : 'sereno-field'),
      renotify: true,
      requireInteraction: true,
      vibrate: [600, 200, 600, 200, 600],
      icon: '/app/icons/icon-192.png',
      badge: '/app/icons/icon-192.png',
      data: { url: payload.url && payload.url.startsWith('/field/') ? payload.url : '/field/' },
    },
  };
}

self.addEventListener('push', (event) => {
  let payload = {};
  try { payload = event.data ? event.data.json() : {}; } catch { payload = { body: event.data?.text() || '' }; }
  const { title, options } = notificationFrom(payload);
  event.waitUntil((async () => {
    await self.registration.showNotification(title, options);
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) client.postMessage({ type: 'push', payload });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/field/', self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).pathname.startsWith('/field/'));
    if (open) {
      await open.focus();
      open.postMessage({ type: 'push' });
      return;
    }
    await self.clients.openWindow(target);
  })());
});
