/**
 * The live link: one WebSocket to `/ws/console`, reconnected with capped exponential back-off (1 s → 30 s,
 * ±20 % jitter) and shown in the header as "en vivo" / "sin conexión en vivo".
 *
 * After every (re)connection the app reloads the queue and the units, because whatever happened while the
 * link was down was not delivered; so it does on a `resync` message (the server's own link to the database
 * was down a moment); while it is down the app polls instead (see app.js).
 */

const MAX_DELAY_MS = 30000;
const PING_EVERY_MS = 25000; // traffic now and then, so a dead link is noticed (the server ignores pings)
const TOKEN_REFUSED = 4401; // close code: the server refused the token

export function createLive({ session, onMessage, onOpen = () => {}, onStateChange = () => {} }) {
  let socket = null;
  let attempt = 0;
  let timer = null;
  let running = false;
  let state = 'offline';
  let renewFirst = false;
  let connecting = false;
  let pinger = null;

  function setState(next) {
    if (next === state) return;
    state = next;
    onStateChange(state);
  }

  function url() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    return `${scheme}://${location.host}/ws/console?token=${encodeURIComponent(session.token || '')}`;
  }

  async function connect() {
    clearTimeout(timer);
    if (!running || socket || connecting) return; // one link at a time
    connecting = true;
    try { await open(); } finally { connecting = false; }
  }

  async function open() {
    // The token is checked only when the socket opens: renew it first if it is about to end.
    if (renewFirst || session.expiresIn < 30 || attempt >= 2) {
      renewFirst = false;
      try { await session.refresh(); } catch { /* offline, or the session ended (the app handles that) */ }
      if (!running || !session.token) return;
    }
    let ws;
    try {
      ws = new WebSocket(url());
    } catch {
      retry();
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      attempt = 0;
      setState('live');
      clearInterval(pinger);
      pinger = setInterval(() => { try { ws.send('ping'); } catch { /* closing */ } }, PING_EVERY_MS);
      onOpen();
    });
    ws.addEventListener('message', (event) => {
      if (socket !== ws) return;
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message && message.type === 'resync') { onOpen(); return; } // the server missed events: reload
      if (message && typeof message.type === 'string') onMessage(message);
    });
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      socket = null;
      clearInterval(pinger);
      if (event.code === TOKEN_REFUSED) renewFirst = true;
      setState('offline');
      retry();
    });
  }

  function retry() {
    if (!running) return;
    attempt += 1;
    const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** (attempt - 1));
    timer = setTimeout(connect, base * (0.8 + Math.random() * 0.4));
  }

  function drop() {
    const ws = socket;
    socket = null;
    clearInterval(pinger);
    if (ws) { try { ws.close(); } catch { /* already closed */ } }
  }

  const onOnline = () => { if (running && !socket) { attempt = 0; connect(); } };
  const onOffline = () => { drop(); setState('offline'); clearTimeout(timer); retry(); };

  return {
    start() {
      if (running) return;
      running = true;
      attempt = 0;
      addEventListener('online', onOnline);
      addEventListener('offline', onOffline);
      connect();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      removeEventListener('online', onOnline);
      removeEventListener('offline', onOffline);
      drop();
      setState('offline');
    },
    get state() { return state; },
  };
}
