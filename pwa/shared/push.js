/**
 * Web Push subscription, shared by the citizen app and the field app: ask permission, subscribe the
 * service worker's push manager with the server's VAPID key, and register the subscription at `path`.
 * Returns 'subscribed', 'denied' or 'unsupported'.
 */

function urlBase64ToUint8Array(value) {
  const padded = value + '='.repeat((4 - (value.length % 4)) % 4);
  const raw = atob(padded.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export async function subscribePush(api, path, { headers = {} } = {}) {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const { key } = await api.get('/api/v1/push/vapid-public-key');
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: urlBase64ToUint8Array(key),
    });
  }
  const json = subscription.toJSON();
  await api.post(path, { kind: 'webpush', endpoint: json.endpoint, keys: json.keys }, { headers });
  return 'subscribed';
}
