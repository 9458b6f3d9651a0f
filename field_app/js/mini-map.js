/**
 * The small map on the assignment card: the incident's pin and, when known, the officer's own position.
 * Leaflet is loaded lazily by the citizen app's loader (same vendored copy, same cache). One map element
 * per assignment is kept across re-renders, so a status change does not rebuild the map. Without tiles
 * (no signal) the map is grey but the pins still show.
 */
import { loadLeaflet } from '/app/js/map.js';

const maps = new Map(); // assignment id → {el, key, map, me}

export function mapElement(assignment, { label, fix }) {
  const loc = assignment.incident?.location;
  if (!loc || loc.lat == null) return null;
  const key = `${loc.lat},${loc.lon}`;
  let entry = maps.get(assignment.id);
  if (entry && entry.key !== key) {
    entry.map?.remove();
    entry = null;
  }
  if (!entry) {
    const el = document.createElement('div');
    el.className = 'mini-map';
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', label);
    el.dataset.testid = 'assignment-map';
    entry = { el, key, map: null, me: null, L: null };
    maps.set(assignment.id, entry);
    build(entry, loc).catch(() => el.classList.add('mini-map-failed'));
  }
  entry.fix = fix;
  showMe(entry);
  requestAnimationFrame(() => entry.map?.invalidateSize());
  return entry.el;
}

async function build(entry, loc) {
  const L = await loadLeaflet();
  entry.L = L;
  const map = L.map(entry.el, { zoomControl: false, attributionControl: true, keyboard: false });
  map.setView([loc.lat, loc.lon], 16);
  L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OSM</a>',
  }).addTo(map);
  L.circleMarker([loc.lat, loc.lon], { radius: 11, color: '#fff', weight: 3, fillColor: '#b42318', fillOpacity: 1 }).addTo(map);
  entry.map = map;
  showMe(entry);
}

function showMe(entry) {
  const { map, L, fix } = entry;
  if (!map || !fix) return;
  if (!entry.me) {
    entry.me = L.circleMarker([fix.lat, fix.lon], { radius: 8, color: '#fff', weight: 3, fillColor: '#0f4c81', fillOpacity: 1 }).addTo(map);
    const [lat, lon] = entry.key.split(',').map(Number);
    map.fitBounds(L.latLngBounds([[lat, lon], [fix.lat, fix.lon]]), { padding: [28, 28], maxZoom: 17 });
  } else {
    entry.me.setLatLng([fix.lat, fix.lon]);
  }
}

/** Drop the maps of assignments that are no longer shown. */
export function pruneMaps(activeIds) {
  const keep = new Set(activeIds.map(String));
  for (const [id, entry] of maps) {
    if (!keep.has(String(id))) {
      entry.map?.remove();
      maps.delete(id);
    }
  }
}

/** Where "Navegar" goes: the phone's map app on Android (geo: URI), Google Maps directions elsewhere. */
export function navigationUrl({ lat, lon }, userAgent = navigator.userAgent) {
  if (/Android/i.test(userAgent)) return `geo:${lat},${lon}?q=${lat},${lon}`;
  return `https://www.google.com/maps/dir/?api=1&destination=${lat},${lon}`;
}
