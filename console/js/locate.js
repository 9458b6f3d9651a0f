/**
 * "Ubicar en el mapa": a dispatcher places an incident that came without a location (a text message with no
 * place the system could read: `needs_location`), or corrects a wrong one. A click on the small map, or
 * dragging its pin, chooses the point; typing "lat, lon" in the labelled field does the same from the
 * keyboard. The field always holds the chosen point, so what is sent is what the dispatcher sees.
 *
 * Nothing is sent until "Confirmar ubicación": a triage carrying the form's version and the point. The server
 * finds the sector, refuses a point outside the service area (its words show in the panel, the form stays
 * open to try again) and sends a P1 that just got its place to the nearest unit.
 */
import { h, mount } from './dom.js';
import { loadLeaflet, createPickMap } from './map.js';

const NUMBER = String.raw`-?\d{1,3}(?:[.,]\d+)?`;
// "-8.11160, -79.02870" as copied from a map app; also a space or ";" between them, and decimal commas.
const PAIR = new RegExp(String.raw`^\s*(${NUMBER})\s*[,;\s]\s*(${NUMBER})\s*$`);

/** `{lat, lon}` from typed text, or null when it is not a latitude and a longitude. */
export function parseLatLon(text) {
  const match = PAIR.exec(text);
  if (!match) return null;
  const [lat, lon] = [match[1], match[2]].map((n) => Number(n.replace(',', '.')));
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}

// Five decimals are about a metre: finer than a click can be, and what is shown is what is sent.
const formatLatLon = ({ lat, lon }) => `${lat.toFixed(5)}, ${lon.toFixed(5)}`;

let active = null; // the open form's map: one detail panel, one form at a time

/** Take the open form's map down (its box is about to be replaced). */
export function closeLocate() {
  active?.remove();
  active = null;
}

/**
 * Draw the form into `slot` and load its map. `send(location, button, onError)` posts the triage: the panel
 * then draws the incident as the server returns it (which closes the form), or calls `onError(text)` with
 * the server's words, shown here where the dispatcher is looking.
 */
export function openLocate(slot, { incident, ctx, send, onBack }) {
  closeLocate();
  const ids = { coords: `locate-coords-${incident.id}`, hint: `locate-hint-${incident.id}`, error: `locate-error-${incident.id}` };
  const center = ctx.tenant?.center || { lat: -8.1116, lon: -79.0287 };
  const example = formatLatLon(incident.location || center);
  const box = h('div', { class: 'locate-map', 'data-testid': 'locate-map' });
  const coords = h('input', {
    type: 'text', id: ids.coords, class: 'input', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': ids.hint, 'data-testid': 'locate-coords', onchange: typed,
    value: incident.location ? formatLatLon(incident.location) : '',
  });
  const status = h('p', { class: 'pick-status', 'data-testid': 'locate-point', 'aria-live': 'polite' });
  const error = h('p', { class: 'field-error', id: ids.error, hidden: true });
  const refused = h('p', { class: 'd-notice error', role: 'alert', 'data-testid': 'locate-error' });
  const heading = h('h4', { tabindex: '-1' }, ctx.t(incident.location ? 'locate.correctTitle' : 'locate.title', { code: incident.code }));
  const form = h('form', {
    class: 'locate-form', 'data-testid': 'locate-form', dataset: { state: 'loading' }, novalidate: true, onsubmit: submit,
  },
  heading,
  h('p', { class: 'meta' }, ctx.t('locate.hint')),
  box,
  h('div', { class: 'field' },
    h('label', { for: ids.coords }, ctx.t('locate.coords')),
    coords,
    h('p', { class: 'meta', id: ids.hint }, ctx.t('locate.coordsHint', { example })),
    error),
  status,
  refused,
  h('div', { class: 'actions-inline' },
    h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'locate-submit' }, ctx.t('locate.submit')),
    h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: onBack }, ctx.t('actions.back'))));
  let map = null;

  /** The point in the field is the chosen one: shown in words, on the form for tests, and as the pin. */
  function choose(point, { fromMap = false } = {}) {
    setError('');
    refused.textContent = '';
    if (fromMap) coords.value = formatLatLon(point);
    const shown = parseLatLon(coords.value);
    status.textContent = ctx.t('locate.chosen', { point: formatLatLon(shown) });
    status.classList.add('is-set');
    form.dataset.lat = String(shown.lat);
    form.dataset.lon = String(shown.lon);
    if (!fromMap) map?.show(shown.lat, shown.lon);
  }

  function setError(text) {
    error.textContent = text;
    error.hidden = !text;
    if (text) { coords.setAttribute('aria-invalid', 'true'); coords.setAttribute('aria-describedby', `${ids.hint} ${ids.error}`); }
    else { coords.removeAttribute('aria-invalid'); coords.setAttribute('aria-describedby', ids.hint); }
  }

  /** The field as a point, or null with the reason next to it. */
  function read() {
    if (!coords.value.trim()) { setError(ctx.t('locate.needPoint')); return null; }
    const point = parseLatLon(coords.value);
    if (!point) setError(ctx.t('locate.badCoords', { example }));
    return point;
  }

  function typed() {
    const point = coords.value.trim() ? read() : null;
    if (point) choose(point);
  }

  async function submit(event) {
    event.preventDefault();
    const point = read();
    if (!point) { coords.focus(); return; }
    choose(point);
    await send(point, event.submitter, (text) => { refused.textContent = text; });
  }

  mount(slot, form);
  if (incident.location) choose(incident.location);
  else status.textContent = ctx.t('locate.none');
  coords.focus();

  (async () => {
    try {
      const L = await loadLeaflet();
      if (!box.isConnected) return; // the form was closed meanwhile
      map = createPickMap(L, box, {
        at: incident.location, center, area: ctx.tenant?.service_area, t: ctx.t,
        label: ctx.t('locate.mapLabel', { code: incident.code }),
        onPick: (point) => choose(point, { fromMap: true }),
      });
      active = map;
      const point = parseLatLon(coords.value);
      if (point) map.show(point.lat, point.lon); // typed before the map was there
      form.dataset.state = 'ready';
    } catch {
      box.textContent = ctx.t('map.failed');
      form.dataset.state = 'no-map'; // typed coordinates still work
    }
  })();
}
