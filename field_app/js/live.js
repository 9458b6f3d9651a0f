/**
 * Live updates: the unit's WebSocket (`/ws/field?token=...`), reconnected with exponential back-off
 * (1 s → 30 s, jitter) and a fresh token; and Web Push, so that an assignment reaches the phone when the
 * app is closed. Messages are `{type, at, data}`; the app re-reads what it needs.
 */
import { backoffMs } from '/shared/offline-queue.js';

const PING_MS = 25000;

export function createLive({ session, onMessage, onState = () => {} }) {
  let socket = null;
  let failures = 0;
  let timer = null;
  let wanted = false;
  let ping = null;

  async function connect() {
    clearTimeout(timer);
    if (!wanted || socket) return;
    const token = await session.fresh();
    if (!token || !wanted || socket) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws/field?token=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      onState(true);
      // A small message now and then keeps mobile networks and proxies from dropping an idle socket,
      // and makes a dead one fail (and reconnect) instead of waiting silently.
      ping = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send('ping'); }, PING_MS);
    };
    ws.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message && message.type) onMessage(message);
    };
    ws.onclose = (event) => {
      clearInterval(ping);
      if (socket === ws) socket = null;
      onState(false);
      if (!wanted) return;
      failures += 1;
      // Refused at the handshake or closed for policy: the token may have expired meanwhile.
      if (event.code === 1008 || event.code === 4001 || event.code === 4401 || event.code === 4403) session.refresh();
      timer = setTimeout(connect, backoffMs(failures, 1000, 30000));
    };
  }

  const onOnline = () => { failures = 0; connect(); };

  return {
    start() {
      if (wanted) return;
      wanted = true;
      failures = 0;
      addEventListener('online', onOnline);
      connect();
    },
    stop() {
      wanted = false;
      clearTimeout(timer);
      removeEventListener('online', onOnline);
      socket?.close(1000);
      socket = null;
    },
    get connected() { return socket?.readyState === WebSocket.OPEN; },
  };
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/**
 * Subscribe this phone to Web Push and tell the server. `ask` allows the permission prompt (only from a
 * tap, e.g. "Iniciar turno"). Resolves with 'subscribed', 'denied', 'default' or 'unsupported'.
 */
export async function registerPush({ api, publicApi, registration, ask = false }) {
  if (!registration?.pushManager || !('Notification' in self)) return 'unsupported';
  let permission = Notification.permission;
  if (permission === 'default' && ask) permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission;
  const { key } = await publicApi.get('/api/v1/push/vapid-public-key');
  const applicationServerKey = keyBytes(key);
  let subscription = await registration.pushManager.getSubscription();
  const current = subscription?.options?.applicationServerKey;
  if (subscription && current && new Uint8Array(current).join() !== applicationServerKey.join()) {
    await subscription.unsubscribe(); // the server's keys changed: the old subscription is useless
    subscription = null;
  }
  subscription ||= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  const { endpoint, keys } = subscription.toJSON();
  await api.post('/api/v1/push/subscriptions', { kind: 'webpush', endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  return 'subscribed';
}
