/**
 * Point-in-service-area check on the phone, so a report written offline outside the city is caught while
 * the citizen can still move the pin. The server decides; this only warns early. Even-odd ray casting on
 * GeoJSON [lon, lat] rings is exact enough at city scale.
 */

function inRing(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(lon, lat, rings) {
  if (!inRing(lon, lat, rings[0])) return false;
  return !rings.slice(1).some((hole) => inRing(lon, lat, hole));
}

/** true/false for a (Multi)Polygon; null when there is no area to check against. */
export function insideArea(area, lat, lon) {
  if (!area || !area.coordinates) return null;
  if (area.type === 'Polygon') return inPolygon(lon, lat, area.coordinates);
  if (area.type === 'MultiPolygon') return area.coordinates.some((poly) => inPolygon(lon, lat, poly));
  return null;
}
