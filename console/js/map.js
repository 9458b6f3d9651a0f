/**
 * The live map: open incidents as round markers coloured by priority (clustered; a cluster takes the
 * colour of its most urgent incident) and units as labelled squares coloured by status (emergency units
 * flash red, stale positions are grey).
 *
 * Markers are Leaflet `divIcon` markers rather than `circleMarker`s because they are keyboard-focusable
 * buttons with a name (Tab to a marker, Enter opens the incident), which SVG paths are not.
 * Without tiles (no internet at the desk) the map is plain grey but the city outline and markers remain.
 */

const LEAFLET = '/app/vendor/leaflet/';
const CLUSTER = '/console/vendor/markercluster/';
let loading = null;

/** Load a classic script (a vendored UMD library) once it is needed. */
export function script(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = src;
    el.onload = resolve;
    el.onerror = () => reject(new Error(`${src} did not load`));
    document.head.append(el);
  });
}

function stylesheet(href) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

/** Leaflet, then the cluster plugin (it extends the global `L`). */
export function loadLeaflet() {
  loading ||= (async () => {
    // Order matters: the console's marker styles come last so they win over Leaflet's.
    [`${LEAFLET}leaflet.css`, `${CLUSTER}MarkerCluster.css`, '/console/map.css'].forEach(stylesheet);
    if (!window.L) await script(`${LEAFLET}leaflet.js`);
    if (!window.L.markerClusterGroup) await script(`${CLUSTER}leaflet.markercluster.js`);
    return window.L;
  })().catch((error) => { loading = null; throw error; });
  return loading;
}

/** OpenStreetMap tiles and, when given, the city's service area as a dashed outline (not clickable). */
export function addBaseLayers(L, map, area) {
  L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  if (area) {
    L.geoJSON(area, { interactive: false, style: { color: '#0f4c81', weight: 2, fill: false, dashArray: '6 4' } }).addTo(map);
  }
}

/** A small map for the detail panels: named for screen readers, zoom buttons in the console's language. */
function smallMap(L, el, { center, zoom, area, label, t }) {
  el.setAttribute('role', 'region');
  el.setAttribute('aria-label', label);
  const map = L.map(el, { center, zoom, keyboard: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
  addBaseLayers(L, map, area);
  return map;
}

const pin = (L, size) => L.divIcon({ className: 'pick-pin', iconSize: [size, size], html: '' });

/**
 * A small map of one place (e.g. where a citizen's request is): the point as the console's yellow pin, zoom
 * buttons named in the console's language. `label` names the map for screen readers. Returns the Leaflet map
 * (call `remove()` when its box goes away).
 */
export function createPlaceMap(L, el, { lat, lon, area, label, t }) {
  const map = smallMap(L, el, { center: [lat, lon], zoom: 16, area, label, t });
  L.marker([lat, lon], { icon: pin(L, 22), keyboard: false, interactive: false }).addTo(map);
  return map;
}

/**
 * A small map to choose one place: a click puts the yellow pin there, and the pin can be dragged; each choice
 * calls `onPick({lat, lon})`. `at` is the point already known (the pin starts there), else the map opens on
 * `center` with no pin. The pin is not a keyboard stop: the caller offers typed coordinates instead, and
 * shows them with `show(lat, lon)`. Call `remove()` when the box goes away.
 */
export function createPickMap(L, el, { at, center, area, label, t, onPick }) {
  const map = smallMap(L, el, { center: at ? [at.lat, at.lon] : [center.lat, center.lon], zoom: at ? 16 : 14, area, label, t });
  el.classList.add('is-picking');
  let marker = null;
  function put(latLng) {
    if (marker) { marker.setLatLng(latLng); return; }
    marker = L.marker(latLng, { icon: pin(L, 26), draggable: true, keyboard: false, autoPan: true }).addTo(map);
    marker.on('dragend', () => { const p = marker.getLatLng(); onPick({ lat: p.lat, lon: p.lng }); });
  }
  if (at) put([at.lat, at.lon]);
  map.on('click', (event) => { put(event.latlng); onPick({ lat: event.latlng.lat, lon: event.latlng.lng }); });
  return {
    /** Put the pin on a point typed by the dispatcher and bring it into view (no `onPick`: they chose it). */
    show(lat, lon) {
      put([lat, lon]);
      if (!map.getBounds().contains([lat, lon])) map.setView([lat, lon], Math.max(map.getZoom(), 15));
    },
    remove: () => map.remove(),
  };
}

const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `ctx` gives `t`, `label(kind, code)` and `onSelectIncident(id)`, `onSelectUnit(id)`.
 * Returns the map's operations for the rest of the console.
 */
export function createConsoleMap(L, el, { center, area, ctx }) {
  const map = L.map(el, { center: [center.lat, center.lon], zoom: 13, keyboard: true, zoomControl: false });
  let zoom = null;
  /** Zoom buttons named in the console's language (Leaflet's own titles are English). */
  function relabel() {
    zoom?.remove();
    zoom = L.control.zoom({ zoomInTitle: ctx.t('map.zoomIn'), zoomOutTitle: ctx.t('map.zoomOut') }).addTo(map);
    el.setAttribute('aria-label', ctx.t('map.label'));
  }
  relabel();
  addBaseLayers(L, map, area);

  const clusters = L.markerClusterGroup({
    maxClusterRadius: 40,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    iconCreateFunction(cluster) {
      const top = Math.min(...cluster.getAllChildMarkers().map((m) => m.options.priority || 4));
      const n = cluster.getChildCount();
      const text = ctx.t('map.cluster', { n, p: top });
      return L.divIcon({
        html: `<span aria-hidden="true">${n}</span><span class="visually-hidden">${escape(text)}</span>`,
        className: `cluster-icon p${top}`,
        iconSize: [36, 36],
      });
    },
  }).addTo(map);
  const unitLayer = L.layerGroup().addTo(map);
  const incidentMarkers = new Map();
  const unitMarkers = new Map();
  let selectedId = null;
  let lastIncidents = [];
  let picking = null;

  function incidentIcon(incident) {
    const classes = ['incident-pin', `p${incident.priority}`];
    if (String(incident.id) === String(selectedId)) classes.push('is-selected');
    if (incident.escalated) classes.push('is-escalated');
    if (incident.silent) classes.push('is-silent');
    return L.divIcon({ className: classes.join(' '), iconSize: [22, 22], html: '' });
  }

  function incidentTitle(incident) {
    return `${incident.code} · P${incident.priority}${incident.silent ? ` · ${ctx.t('queue.silent')}` : ''} · ${incident.category?.name || ''} · ${ctx.label('inc.status', incident.status)}`;
  }

  /** Bring the incident markers in line with the store (added, moved, restyled, removed). */
  function syncIncidents(incidents) {
    lastIncidents = [...incidents];
    const seen = new Set();
    for (const incident of lastIncidents) {
      if (!incident.location) continue;
      const key = String(incident.id);
      seen.add(key);
      const at = [incident.location.lat, incident.location.lon];
      let marker = incidentMarkers.get(key);
      if (!marker) {
        marker = L.marker(at, { icon: incidentIcon(incident), title: incidentTitle(incident), priority: incident.priority, keyboard: true });
        marker.on('click', () => ctx.onSelectIncident(incident.id));
        incidentMarkers.set(key, marker);
        clusters.addLayer(marker);
        continue;
      }
      const moved = !marker.getLatLng().equals(L.latLng(at));
      const restyle = marker.options.priority !== incident.priority || marker.options.sig !== signature(incident);
      marker.options.priority = incident.priority;
      marker.options.sig = signature(incident);
      if (moved) marker.setLatLng(at);
      if (restyle || moved) {
        marker.setIcon(incidentIcon(incident));
        marker.getElement()?.setAttribute('title', incidentTitle(incident));
        marker.options.title = incidentTitle(incident);
        clusters.refreshClusters(marker);
      }
    }
    for (const [id, marker] of incidentMarkers) {
      if (!seen.has(id)) { clusters.removeLayer(marker); incidentMarkers.delete(id); }
    }
  }

  const signature = (i) => `${i.status}|${i.escalated}|${String(i.id) === String(selectedId)}|${i.category?.name}`;

  function unitIcon(unit) {
    const classes = ['unit-pin', `u-${unit.status}`];
    if (unit.stale) classes.push('is-stale');
    if (unit.emergency) classes.push('is-emergency');
    return L.divIcon({ className: classes.join(' '), iconSize: null, html: `<span>${escape(unit.call_sign)}</span>` });
  }

  function unitTitle(unit) {
    const parts = [unit.call_sign, ctx.label('unit.status', unit.status)];
    if (unit.emergency) parts.push(ctx.t('unit.emergency'));
    if (unit.stale) parts.push(ctx.t('unit.stale'));
    return parts.join(' · ');
  }

  /** Units on duty with a position; off-duty units stay in the list only. */
  function syncUnits(units) {
    const seen = new Set();
    for (const unit of units) {
      if (!unit.location || unit.status === 'off_duty') continue;
      seen.add(unit.id);
      const at = [unit.location.lat, unit.location.lon];
      const sig = `${unit.status}|${unit.stale}|${unit.emergency}|${unit.call_sign}`;
      let marker = unitMarkers.get(unit.id);
      if (!marker) {
        marker = L.marker(at, { icon: unitIcon(unit), title: unitTitle(unit), keyboard: true, zIndexOffset: 500, sig });
        marker.on('click', () => ctx.onSelectUnit(unit.id));
        unitMarkers.set(unit.id, marker);
        unitLayer.addLayer(marker);
        continue;
      }
      marker.setLatLng(at);
      if (marker.options.sig !== sig) {
        marker.options.sig = sig;
        marker.setIcon(unitIcon(unit));
        marker.getElement()?.setAttribute('title', unitTitle(unit));
      }
      marker.setZIndexOffset(unit.emergency ? 1000 : 500);
    }
    for (const [id, marker] of unitMarkers) {
      if (!seen.has(id)) { unitLayer.removeLayer(marker); unitMarkers.delete(id); }
    }
  }

  /** Highlight the selected incident and bring it into view (opening its cluster if needed). */
  function selectIncident(id, { pan = true } = {}) {
    selectedId = id;
    syncIncidents(lastIncidents);
    const marker = incidentMarkers.get(String(id));
    if (pan && marker && !map.getBounds().pad(-0.1).contains(marker.getLatLng())) {
      clusters.zoomToShowLayer(marker, () => map.panTo(marker.getLatLng()));
    }
  }

  function centerOn(lat, lon, zoom = 16) {
    map.setView([lat, lon], Math.max(map.getZoom(), zoom));
  }

  /**
   * Pick a location for a new incident: the next click on the map calls `onPick({lat, lon})` (the form
   * also offers "use the map's centre" for keyboard users). Returns a function that ends picking.
   */
  function startPicking(onPick) {
    stopPicking();
    el.classList.add('is-picking');
    const handler = (event) => setPick(event.latlng.lat, event.latlng.lng, onPick);
    map.on('click', handler);
    picking = { handler, marker: null };
    return stopPicking;
  }

  function setPick(lat, lon, onPick) {
    if (!picking) return;
    if (!picking.marker) {
      picking.marker = L.marker([lat, lon], {
        icon: L.divIcon({ className: 'pick-pin', iconSize: [26, 26], html: '' }),
        keyboard: false, interactive: false,
      }).addTo(map);
    } else {
      picking.marker.setLatLng([lat, lon]);
    }
    onPick({ lat, lon });
  }

  function pickCenter(onPick) {
    const c = map.getCenter();
    setPick(c.lat, c.lng, onPick);
  }

  function stopPicking() {
    if (!picking) return;
    map.off('click', picking.handler);
    picking.marker?.remove();
    picking = null;
    el.classList.remove('is-picking');
  }

  return {
    map,
    syncIncidents,
    syncUnits,
    selectIncident,
    centerOn,
    startPicking,
    pickCenter,
    stopPicking,
    relabel,
  };
}
