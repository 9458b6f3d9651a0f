/**
 * Leaflet, loaded only when a map is shown (it is the largest file of the app), and the report map:
 * a draggable pin, the GPS accuracy circle and the city's outline. Without tiles (offline) the map is
 * plain grey but the pin, the circle and the outline still show, and taps still place the pin.
 */

const BASE = '/app/vendor/leaflet/';
let loading = null;

export function loadLeaflet() {
  if (window.L) return Promise.resolve(window.L);
  loading ||= new Promise((resolve, reject) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = `${BASE}leaflet.css`;
    document.head.append(css);
    const script = document.createElement('script');
    script.src = `${BASE}leaflet.js`;
    script.onload = () => resolve(window.L);
    script.onerror = () => { loading = null; reject(new Error('Leaflet did not load')); };
    document.head.append(script);
  });
  return loading;
}

const PIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 52" width="40" height="52" aria-hidden="true">'
  + '<path d="M20 1C9.5 1 1 9.4 1 19.8 1 33.6 20 51 20 51s19-17.4 19-31.2C39 9.4 30.5 1 20 1z" fill="#c2410c" stroke="#fff" stroke-width="2"/>'
  + '<circle cx="20" cy="20" r="7" fill="#fff"/></svg>';

/**
 * Create the map in `el`. `onMove({lat, lon, dragged})` fires when the citizen drags the pin or taps the map.
 * Returns {setPin(lat, lon, accuracy|null), centerPin(), fit(lat, lon, accuracy), remove()}.
 */
export function createReportMap(L, el, { center, zoom = 13, area, label, onMove, onTilesFailed }) {
  const map = L.map(el, { center: [center.lat, center.lon], zoom, zoomControl: true, tap: true });
  el.setAttribute('aria-label', label);
  const tiles = L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  let warned = false;
  tiles.on('tileerror', () => { if (!warned) { warned = true; onTilesFailed?.(); } });
  if (area) {
    L.geoJSON(area, { interactive: false, style: { color: '#0f4c81', weight: 2, fill: false, dashArray: '6 4' } }).addTo(map);
  }

  const icon = L.divIcon({ html: PIN_SVG, className: 'report-pin', iconSize: [40, 52], iconAnchor: [20, 51] });
  let marker = null;
  let circle = null;

  function setPin(lat, lon, accuracy) {
    if (!marker) {
      marker = L.marker([lat, lon], { icon, draggable: true, keyboard: true, title: label, alt: label }).addTo(map);
      marker.on('dragend', () => {
        const p = marker.getLatLng();
        onMove({ lat: p.lat, lon: p.lng, dragged: true });
      });
    } else {
      marker.setLatLng([lat, lon]);
    }
    if (circle) circle.remove();
    circle = accuracy != null
      ? L.circle([lat, lon], { radius: accuracy, color: '#0f4c81', weight: 1, fillOpacity: 0.15, interactive: false }).addTo(map)
      : null;
  }

  map.on('click', (event) => onMove({ lat: event.latlng.lat, lon: event.latlng.lng, dragged: false }));

  return {
    setPin,
    center: () => {
      const c = map.getCenter();
      return { lat: c.lat, lon: c.lng };
    },
    fit(lat, lon, accuracy) {
      if (accuracy && circle) map.fitBounds(circle.getBounds(), { maxZoom: 18, padding: [24, 24] });
      else map.setView([lat, lon], Math.max(map.getZoom(), 17));
    },
    invalidate: () => map.invalidateSize(),
    remove: () => map.remove(),
  };
}
