/**
 * The public map: published incidents as clustered markers (leaflet.markercluster) or as a heat layer
 * (leaflet.heat), over the city's outline. Points are approximate by design (grid cell centres), which the
 * popups and the note under the map say.
 *
 * Markers and clusters are `divIcon`s with their text inside, so each is a focusable button with a name
 * (Tab to it, Enter opens the popup or zooms into the cluster). Without tiles the map is grey but the
 * points remain. Leaflet and its plugins are classic scripts loaded by index.html (globals `L`).
 */
import { h } from '/app/js/dom.js';

const TILES = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';

function popupContent(props, { t, format }) {
  const fact = (label, value) => (value == null || value === '' ? null : [h('dt', {}, label), h('dd', {}, value)]);
  return h('div', { class: 'tr-popup' },
    h('p', { class: 'tr-popup-title' }, props.category_name || props.category),
    h('dl', { class: 'facts' },
      fact(t('popup.when'), props.date ? format.date(props.date) : format.month(props.month)),
      fact(t('popup.hour'), props.hour_band),
      fact(t('popup.district'), props.district_name || props.district),
      fact(t('popup.outcome'), props.outcome_name || props.outcome),
      fact(t('popup.response'), props.response_min == null ? null : format.minutes(props.response_min))),
    h('p', { class: 'meta' }, t('popup.approx', { m: props.precision_m })));
}

/** `ctx` gives `t`, `format`. Returns {show(features) → how many are placed, setHeat(on), relabel(ctx), map}. */
export function createPublicMap(L, el, { center, area, ctx, onTilesFailed }) {
  const map = L.map(el, { center: [center.lat, center.lon], zoom: 13, zoomControl: false, tap: true });
  let zoom = null;
  let current = ctx;

  const tiles = L.tileLayer(TILES, {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  let warned = false;
  tiles.on('tileerror', () => { if (!warned) { warned = true; onTilesFailed?.(); } });
  if (area) {
    L.geoJSON(area, { interactive: false, style: { color: '#0f4c81', weight: 2, fill: false, dashArray: '6 4' } })
      .addTo(map);
  }

  const clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 60,
    animate: !matchMedia('(prefers-reduced-motion: reduce)').matches,
    iconCreateFunction: (cluster) => {
      const n = cluster.getChildCount();
      const size = n < 10 ? 'small' : n < 100 ? 'medium' : 'large';
      return L.divIcon({
        html: `<span class="tr-cluster-count" aria-hidden="true">${n}</span>`
          + `<span class="visually-hidden">${escape(current.t('map.cluster', { n }))}</span>`,
        className: `tr-cluster tr-cluster-${size}`,
        iconSize: size === 'large' ? [48, 48] : [40, 40],
      });
    },
  }).addTo(map);
  const heat = L.heatLayer([], { radius: 22, blur: 18, maxZoom: 16, minOpacity: 0.35 });
  let heatOn = false;
  let heatPoints = [];

  function relabel(ctx) {
    current = ctx;
    zoom?.remove();
    zoom = L.control.zoom({ zoomInTitle: ctx.t('map.zoomIn'), zoomOutTitle: ctx.t('map.zoomOut') }).addTo(map);
    el.setAttribute('aria-label', ctx.t('map.label'));
  }

  function marker(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const props = feature.properties;
    const name = `${props.category_name || props.category} · ${props.date || props.month}`;
    const icon = L.divIcon({
      html: `<span class="visually-hidden">${escape(name)}</span>`,
      className: 'tr-marker',
      iconSize: [22, 22],
    });
    return L.marker([lat, lon], { icon, keyboard: true, title: name })
      .bindPopup(() => popupContent(props, current), { maxWidth: 220, minWidth: 160 });
  }

  /** Show these GeoJSON features (those without geometry are the caller's to count); fit the view to them. */
  function show(list) {
    const located = list.filter((f) => f.geometry && f.geometry.type === 'Point');
    const points = located.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
    clusters.clearLayers();
    // The view first, then the markers: clustering once at the final zoom, with no animation in between.
    if (points.length) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 15, animate: false });
    clusters.addLayers(located.map(marker));
    heatPoints = points;
    // leaflet.heat redraws on setLatLngs and fails once removed from the map: only while it is shown.
    if (heatOn) heat.setLatLngs(heatPoints);
    return located.length;
  }

  function setHeat(on) {
    heatOn = on;
    if (on) {
      map.removeLayer(clusters);
      heat.addTo(map);
      heat.setLatLngs(heatPoints);
    } else {
      map.removeLayer(heat);
      clusters.addTo(map);
    }
  }

  relabel(ctx);
  return { show, setHeat, relabel, get heat() { return heatOn; }, map };
}

const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
