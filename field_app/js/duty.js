/**
 * Duty and position sharing. While on duty the phone:
 * - watches the GPS and asks for a fresh fix when the last one is older than the sending interval
 *   (a phone lying still may not report for minutes);
 * - sends the position every 20 s and at once on every status change (`sendNow`);
 * - keeps the screen awake (Screen Wake Lock), taken again each time the app comes back to the front;
 * - says plainly when sharing has stopped: permission denied, no fix for over 60 s, app in the
 *   background, or no answer from the server for over 60 s (`sharing.reason`).
 *
 * Positions are not queued: an old position is worth nothing to the dispatcher, the next one replaces it.
 */

const KEY = 'sereno.field.duty';
const SEND_EVERY_MS = 20000;
const STALE_MS = 60000;
const CHECK_MS = 5000;
const ASK_AGAIN_MS = 30000;

export function createDuty({ api, user = () => null, now = () => Date.now(), geo = navigator.geolocation }) {
  const unitKey = () => `sereno.field.lastUnit.${user()?.username || ''}`;
  const rememberUnit = (id) => { try { localStorage.setItem(unitKey(), String(id)); } catch { /* memory only */ } };
  const lastUnit = () => {
    if (user()?.unit?.id != null) return user().unit.id;
    try { return Number(localStorage.getItem(unitKey())) || null; } catch { return null; }
  };

  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY)) || {}; } catch { /* nothing kept */ }
  let on = Boolean(saved.on);
  let unit = saved.unit || null;
  let fix = null; // {lat, lon, accuracy, at}
  let denied = false;
  let trackingSince = 0;
  let lastSentAt = 0;
  let lastOkAt = 0;
  let sendFailing = false;
  let askedAt = 0;
  let watchId = null;
  let checkTimer = null;
  let wakeLock = null;
  let reason = null;
  const listeners = new Set();
  const emit = () => listeners.forEach((fn) => fn());

  function persist() {
    try { localStorage.setItem(KEY, JSON.stringify({ on, unit })); } catch { /* memory only */ }
  }

  function onFix(position) {
    const { latitude, longitude, accuracy } = position.coords;
    const first = !fix;
    // The phone's clock at reception, not position.timestamp: some phones stamp fixes with GPS time or a
    // skewed clock, and `device_at` must be comparable with the times of the officer's taps.
    fix = { lat: latitude, lon: longitude, accuracy, at: now() };
    denied = false;
    evaluate();
    if (first) sendNow();
  }

  function onError(error) {
    if (error.code === 1) denied = true; // PERMISSION_DENIED; timeouts simply leave the fix ageing
    evaluate();
  }

  function evaluate() {
    let next = null;
    const since = Math.max(trackingSince, fix?.at || 0);
    if (!geo) next = 'unsupported';
    else if (denied) next = 'denied';
    else if (document.visibilityState === 'hidden') next = 'hidden';
    else if (now() - since > STALE_MS) next = 'nofix';
    else if (sendFailing && now() - Math.max(lastOkAt, trackingSince) > STALE_MS) next = 'network';
    if (next !== reason) { reason = next; emit(); }
  }

  async function sendNow() {
    if (!on || !fix || now() - fix.at > STALE_MS) return;
    lastSentAt = now();
    try {
      await api.post('/api/v1/field/position', {
        lat: round(fix.lat), lon: round(fix.lon),
        accuracy_m: fix.accuracy == null ? null : Math.round(fix.accuracy * 10) / 10,
        device_at: new Date(fix.at).toISOString(),
      }, { timeout: 15000 });
      lastOkAt = now();
      sendFailing = false;
    } catch {
      sendFailing = true;
    }
    evaluate();
  }

  function check() {
    // Some phones never answer a position request: after 30 s a new one may be made.
    if (geo && now() - askedAt > ASK_AGAIN_MS && (!fix || now() - fix.at >= SEND_EVERY_MS)) {
      askedAt = now();
      geo.getCurrentPosition(
        (p) => { askedAt = 0; onFix(p); },
        (e) => { askedAt = 0; onError(e); },
        { enableHighAccuracy: true, maximumAge: 5000, timeout: 15000 },
      );
    }
    if (now() - lastSentAt >= SEND_EVERY_MS) sendNow();
    evaluate();
  }

  async function lockScreen() {
    if (!on || wakeLock || !navigator.wakeLock || document.visibilityState !== 'visible') return;
    try {
      wakeLock = await navigator.wakeLock.request('screen');
      wakeLock.addEventListener('release', () => { wakeLock = null; });
    } catch { /* battery saver or not allowed: the screen may dim */ }
  }

  function onVisibility() {
    evaluate();
    if (document.visibilityState === 'visible') {
      lockScreen();
      check();
    }
  }

  function startTracking() {
    if (watchId !== null || checkTimer) return;
    trackingSince = now();
    if (geo) {
      watchId = geo.watchPosition(onFix, onError, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
    }
    checkTimer = setInterval(check, CHECK_MS);
    document.addEventListener('visibilitychange', onVisibility);
    lockScreen();
    evaluate();
  }

  function stopTracking() {
    if (watchId !== null) geo.clearWatch(watchId);
    watchId = null;
    clearInterval(checkTimer);
    checkTimer = null;
    document.removeEventListener('visibilitychange', onVisibility);
    wakeLock?.release().catch(() => {});
    wakeLock = null;
    reason = null;
  }

  async function setDuty(value, unitId) {
    const body = { on: value };
    if (value && unitId != null) body.unit_id = unitId;
    const { data } = await api.post('/api/v1/field/duty', body, { timeout: 15000 });
    on = value;
    unit = data || unit;
    if (unit?.id != null) rememberUnit(unit.id);
    persist();
    if (on) startTracking(); else stopTracking();
    emit();
    return data;
  }

  return {
    get on() { return on; },
    get unit() { return unit; },
    get fix() { return fix && now() - fix.at <= STALE_MS ? fix : null; },
    /** null while positions are being shared; else why not ('denied', 'nofix', 'hidden', 'network'...). */
    get reason() { return on ? reason : null; },
    /**
     * Start the shift in `unitId`, else in the unit this phone's officer last rode: the server forgets the
     * membership when a shift ends, and an officer may not list units to pick one.
     */
    start: (unitId = lastUnit()) => setDuty(true, unitId),
    stop: () => setDuty(false),
    /** After a reload while on duty: carry on sharing without asking the server again. */
    resume() { if (on) startTracking(); },
    /** The unit as the server last described it (WebSocket unit.updated). */
    setUnit(value) {
      unit = value;
      if (value?.status === 'off_duty' && on) { on = false; stopTracking(); } // the shift was ended centrally
      persist();
      emit();
    },
    /** Logout: stop sharing and forget the duty state kept on this phone. */
    reset() { stopTracking(); on = false; unit = null; persist(); emit(); },
    sendNow,
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
}

const round = (value) => Math.round(value * 1e6) / 1e6;
