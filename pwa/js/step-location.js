/**
 * Step 3: where. GPS first (high accuracy, with a timeout); the pin can be dragged or the map tapped. A
 * moved pin keeps the GPS accuracy (that is what the API records) but is marked as adjusted. Without GPS
 * the map opens on the city centre and the citizen places the pin.
 */
import { h, mount, announce } from './dom.js';
import { insideArea } from './geo.js';
import { loadLeaflet, createReportMap } from './map.js';

export const title = 'location.title';
/** Shown live next to the map (see areaWarning), so the wizard only announces it. */
export const inlineProblems = ['location.outside'];

export function validate(ctx, draft) {
  if (!draft.location) return 'location.required';
  if (insideArea(ctx.tenant?.service_area, draft.location.lat, draft.location.lon) === false) return 'location.outside';
  return null;
}

const GEO_OPTIONS = { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 };

/** `mapLabel`: the map's accessible name (the participation form reuses this step for its place). */
export function render(body, ctx, draft, { showError, mapLabel = 'location.mapLabel' }) {
  const { t } = ctx;
  let alive = true;
  let map = null;
  const status = h('p', { class: 'meta', role: 'status', dataset: { testid: 'location-status' } });
  const mapEl = h('div', { class: 'map', id: 'map', dataset: { testid: 'map' } });
  const coords = h('p', { class: 'coords', dataset: { testid: 'coords' } });
  const accuracy = h('p', { class: 'accuracy', dataset: { testid: 'accuracy' } });
  const areaWarning = h('p', { class: 'error-text', dataset: { testid: 'location-error' } });
  const tilesNote = h('p', { class: 'meta', hidden: true }, t('location.noTiles'));

  function show() {
    const loc = draft.location;
    coords.textContent = loc ? t('location.coords', { lat: loc.lat.toFixed(5), lon: loc.lon.toFixed(5) }) : '';
    if (!loc) accuracy.textContent = '';
    else if (loc.adjusted && loc.accuracy != null) accuracy.textContent = t('location.adjusted', { m: Math.round(loc.accuracy) });
    else if (loc.accuracy != null) accuracy.textContent = t('location.accuracy', { m: Math.round(loc.accuracy) });
    else accuracy.textContent = t('location.placed');
    const outside = loc && insideArea(ctx.tenant?.service_area, loc.lat, loc.lon) === false;
    areaWarning.textContent = outside ? t('location.outside') : '';
    if (map && loc) map.setPin(loc.lat, loc.lon, loc.adjusted ? null : loc.accuracy);
  }

  function moved({ lat, lon }) {
    const before = draft.location;
    draft.location = {
      lat, lon,
      accuracy: before?.source === 'gps' ? before.accuracy : null,
      adjusted: before?.source === 'gps',
      source: before?.source === 'gps' ? 'gps' : 'map',
    };
    if (draft.error?.code === 'outside_service_area') { draft.error = null; showError(''); }
    show();
    announce(coords.textContent);
  }

  /** `explicit`: the citizen asked; otherwise a pin they placed while the GPS was searching wins. */
  function locate(explicit = true) {
    if (!navigator.geolocation) {
      status.textContent = t('location.unsupported');
      return;
    }
    status.textContent = t('location.searching');
    navigator.geolocation.getCurrentPosition((position) => {
      if (!alive || (!explicit && draft.location?.source === 'map')) return;
      const { latitude: lat, longitude: lon, accuracy: acc } = position.coords;
      draft.location = { lat, lon, accuracy: acc, adjusted: false, source: 'gps' };
      status.textContent = t('location.found');
      show();
      map?.fit(lat, lon, acc);
    }, (error) => {
      if (!alive) return;
      const reason = error.code === error.PERMISSION_DENIED ? 'location.denied' : 'location.failed';
      status.textContent = `${t(reason)} ${t('location.tapMap')}`;
    }, { ...GEO_OPTIONS, maximumAge: explicit ? 0 : GEO_OPTIONS.maximumAge });
  }

  const center = ctx.tenant?.center;
  mount(body,
    h('p', {}, t('location.hint')),
    status,
    h('div', { class: 'location-facts' }, coords, accuracy),
    areaWarning,
    mapEl,
    tilesNote,
    h('div', { class: 'actions-inline' },
      h('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'locate' }, onclick: () => locate(true) }, t('location.useGps')),
      h('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'pin-center' },
        onclick: () => map && moved(map.center()) }, t('location.pinCenter'))));

  loadLeaflet().then((L) => {
    if (!alive) return;
    map = createReportMap(L, mapEl, {
      // Without the tenant (never loaded), a view of the region the citizen can zoom in from.
      center: draft.location || center || { lat: -12, lon: -70 },
      zoom: draft.location ? 17 : center ? 13 : 4,
      area: ctx.tenant?.service_area,
      label: t(mapLabel),
      onMove: moved,
      onTilesFailed: () => { tilesNote.hidden = false; },
    });
    show();
  }).catch(() => {
    mapEl.hidden = true;
    status.textContent = t('location.noMap');
  });

  show();
  if (!draft.location) locate(false);
  return () => { alive = false; map?.remove(); };
}
