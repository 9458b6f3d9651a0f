/**
 * The analytics map: the service area, the sectors shaded by a figure (incidents in the period, or units of
 * a shift from the allocation), and two optional layers: the hotspot heat layer (Leaflet.heat) and the
 * forecast cells (a choropleth). Shading uses five equal steps from 0 to the highest value; the legend is
 * plain HTML next to the map, and the sector table under the chart says the same in words.
 */
import { h, mount } from '../dom.js';

const SECTOR_SCALE = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'];
const FORECAST_SCALE = ['#feedde', '#fdbe85', '#fd8d3c', '#e6550d', '#a63603'];
const HEAT = '/app/vendor/leaflet.heat/leaflet-heat.js';

/** Five equal steps from 0 to `max`: the index of the step `value` falls in. */
function step(value, max, n) {
  if (!max || !value) return 0;
  return Math.min(n - 1, Math.floor((value / max) * n - 1e-9));
}

function legendItems(scale, max, format) {
  if (!max) return [];
  return scale.map((color, i) => ({
    color,
    text: `${format((i * max) / scale.length)} – ${format(((i + 1) * max) / scale.length)}`,
  }));
}

const centreOf = (geometry) => {
  if (geometry.type === 'Point') return geometry.coordinates;
  const ring = geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0][0];
  const xs = ring.map((c) => c[0]);
  const ys = ring.map((c) => c[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
};

/**
 * `L` is Leaflet (already loaded), `el` the map's box, `legendEl` where the legends go; `ctx` gives `t`,
 * `i18n` and `loadScript`. `area` is the tenant's service area (GeoJSON), `center` {lat, lon}.
 */
export function createAnalyticsMap(L, el, legendEl, { area, center, ctx }) {
  const map = L.map(el, { center: [center.lat, center.lon], zoom: 13, zoomControl: false, keyboard: true });
  let zoom = null;
  L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  const outline = area
    ? L.geoJSON(area, { interactive: false, style: { color: '#0f4c81', weight: 2, fill: false, dashArray: '6 4' } }).addTo(map)
    : null;
  if (outline) map.fitBounds(outline.getBounds(), { padding: [12, 12] });
  let sectorLayer = null;
  let sectorShade = { values: new Map(), title: '', format: String };
  let heatLayer = null;
  let forecastLayer = null;
  let forecastLegend = null;

  function relabel() {
    zoom?.remove();
    zoom = L.control.zoom({ zoomInTitle: ctx.t('map.zoomIn'), zoomOutTitle: ctx.t('map.zoomOut') }).addTo(map);
    el.setAttribute('aria-label', ctx.t('an.map.label'));
  }
  relabel();

  function drawLegends() {
    const blocks = [];
    const max = Math.max(0, ...sectorShade.values.values());
    if (sectorLayer && max) blocks.push({ title: sectorShade.title, items: legendItems(SECTOR_SCALE, max, sectorShade.format), testid: 'legend-sectors' });
    if (forecastLegend) blocks.push(forecastLegend);
    mount(legendEl, blocks.map((b) => h('div', { class: 'an-legend-block', dataset: { testid: b.testid } },
      h('p', { class: 'an-legend-title' }, b.title),
      h('ul', { class: 'an-legend' }, b.items.map((item) => h('li', {},
        h('span', { class: 'swatch', style: `background:${item.color}`, 'aria-hidden': 'true' }), item.text))))));
  }

  function styleSector(feature) {
    const max = Math.max(0, ...sectorShade.values.values());
    const value = sectorShade.values.get(feature.properties.code) || 0;
    return { color: '#0a3a63', weight: 1.5, fillOpacity: 0.55, fillColor: SECTOR_SCALE[step(value, max, SECTOR_SCALE.length)] };
  }

  function sectorTooltip(feature) {
    const value = sectorShade.values.get(feature.properties.code);
    return `${feature.properties.name || feature.properties.code}: ${value == null ? '–' : sectorShade.format(value)}`;
  }

  /** The sectors' polygons (a FeatureCollection with `code` and `name`), drawn under everything else. */
  function setSectors(collection) {
    sectorLayer?.remove();
    sectorLayer = L.geoJSON(collection, { style: styleSector }).addTo(map);
    sectorLayer.bringToBack();
    sectorLayer.eachLayer((layer) => layer.bindTooltip(() => sectorTooltip(layer.feature), { sticky: true }));
    drawLegends();
  }

  /** Shade the sectors by `values` (code → number); `title` names the figure in the legend. */
  function shadeSectors(values, { title, format = (v) => ctx.i18n.formatNumber(v, { maximumFractionDigits: 1 }) }) {
    sectorShade = { values, title, format };
    sectorLayer?.setStyle(styleSector);
    if (sectorLayer) el.dataset.shaded = String(values.size);
    drawLegends();
  }

  /** Hotspots (GeoJSON points with `weight` 0–1, or `value`) as a heat layer; null removes it. */
  async function setHeat(collection) {
    heatLayer?.remove();
    heatLayer = null;
    if (!collection) return;
    if (!L.heatLayer) await ctx.loadScript(HEAT);
    const features = collection.features || [];
    const peak = Math.max(0, ...features.map((f) => Number(f.properties?.value) || 0));
    const points = features.filter((f) => f.geometry).map((f) => {
      const [lon, lat] = centreOf(f.geometry);
      const p = f.properties || {};
      return [lat, lon, p.weight ?? (peak ? (Number(p.value) || 0) / peak : 1)];
    });
    heatLayer = L.heatLayer(points, { radius: 22, blur: 18, maxZoom: 16, minOpacity: 0.35 }).addTo(map);
  }

  /** Forecast cells (GeoJSON polygons with `value`, expected incidents) as a choropleth; null removes it. */
  function setForecast(collection) {
    forecastLayer?.remove();
    forecastLayer = null;
    forecastLegend = null;
    if (collection) {
      const features = collection.features || [];
      const max = Math.max(0, ...features.map((f) => Number(f.properties?.value) || 0));
      const format = (v) => ctx.i18n.formatNumber(v, { maximumFractionDigits: 2 });
      forecastLayer = L.geoJSON(collection, {
        style: (f) => ({ stroke: false, fillOpacity: 0.6, fillColor: FORECAST_SCALE[step(Number(f.properties?.value) || 0, max, FORECAST_SCALE.length)] }),
        onEachFeature: (f, layer) => layer.bindTooltip(`${ctx.t('an.forecast.cell')}: ${format(Number(f.properties?.value) || 0)}`, { sticky: true }),
      }).addTo(map);
      forecastLegend = { title: ctx.t('an.forecast.legend'), items: legendItems(FORECAST_SCALE, max, format), testid: 'legend-forecast' };
    }
    drawLegends();
  }

  return {
    map,
    relabel: () => { relabel(); drawLegends(); },
    setSectors,
    shadeSectors,
    setHeat,
    setForecast,
    get hasSectors() { return Boolean(sectorLayer); },
    invalidate: () => map.invalidateSize(),
  };
}
