/**
 * What the console knows right now: open incidents (summaries) and units, kept current by the REST loads
 * and the live messages, and a tiny event bus the views listen to.
 *
 * Times: the server sends `age_s` with every summary, so the console derives the server's clock from it
 * and never trusts the desk PC's clock for SLA timers.
 */

/** Ids are numbers or strings depending on the server; maps and comparisons use their text. */
export const idKey = (id) => String(id);
export const sameId = (a, b) => a != null && b != null && String(a) === String(b);

/** Incident states that leave the open queue. */
export const TERMINAL = new Set(['closed', 'duplicate', 'unfounded', 'cancelled']);
/** Assignment states in which a unit is still committed to the incident. */
export const ACTIVE_ASSIGNMENT = new Set(['proposed', 'assigned', 'acknowledged', 'en_route', 'on_scene']);

export function createStore() {
  const incidents = new Map();
  const units = new Map();
  const listeners = new Map();
  let clockOffset = 0; // server time − local time, ms

  function on(type, fn) {
    if (!listeners.has(type)) listeners.set(type, new Set());
    listeners.get(type).add(fn);
    return () => listeners.get(type).delete(fn);
  }

  function emit(type, payload) {
    for (const fn of listeners.get(type) || []) fn(payload);
  }

  const serverNow = () => Date.now() + clockOffset;

  /** Keep the summary with the local moment it was reported (server clock), for ticking timers. */
  function normalise(summary) {
    const reported = Date.parse(summary.reported_at);
    if (Number.isFinite(summary.age_s) && Number.isFinite(reported)) {
      clockOffset = reported + summary.age_s * 1000 - Date.now();
    }
    return { ...summary, reportedMs: Number.isFinite(reported) ? reported : serverNow() - (summary.age_s || 0) * 1000 };
  }

  function setIncidents(list) {
    incidents.clear();
    for (const summary of list) incidents.set(idKey(summary.id), normalise(summary));
    emit('incidents', { reset: true });
  }

  /**
   * Add or update one incident (from a live message or a detail load). Returns 'added', 'updated' or
   * 'removed' (the incident left the open queue).
   */
  function upsertIncident(summary) {
    const previous = incidents.get(idKey(summary.id));
    if (previous && Number.isFinite(summary.version) && summary.version < previous.version) return 'ignored';
    if (TERMINAL.has(summary.status)) {
      if (!previous) return 'ignored';
      incidents.delete(idKey(summary.id));
      emit('incidents', { removed: summary.id });
      return 'removed';
    }
    const keep = previous ? { units: previous.units } : {};
    const next = normalise({ ...keep, ...summary });
    incidents.set(idKey(summary.id), next);
    emit('incidents', previous ? { updated: summary.id } : { added: summary.id });
    return previous ? 'updated' : 'added';
  }

  /** An assignment changed: mirror it in the incident's list of units and its escalation flag. */
  function applyAssignment(assignment) {
    const incident = incidents.get(idKey(assignment.incident_id));
    if (!incident) return;
    const others = (incident.units || []).filter((u) => !sameId(u.unit_id, assignment.unit_id));
    const unitStatus = units.get(idKey(assignment.unit_id))?.status || assignment.status;
    incident.units = ACTIVE_ASSIGNMENT.has(assignment.status)
      ? [...others, { unit_id: assignment.unit_id, call_sign: assignment.call_sign, status: unitStatus }]
      : others;
    if (assignment.escalated) incident.escalated = true;
    emit('incidents', { updated: incident.id });
  }

  function setUnits(list) {
    units.clear();
    for (const unit of list) units.set(idKey(unit.id), unit);
    emit('units', { reset: true });
  }

  function upsertUnit(unit) {
    units.set(idKey(unit.id), unit);
    for (const incident of incidents.values()) {
      const entry = incident.units?.find((u) => sameId(u.unit_id, unit.id));
      if (entry && entry.status !== unit.status) {
        entry.status = unit.status;
        emit('incidents', { updated: incident.id });
      }
    }
    emit('units', { updated: unit.id });
  }

  /** Queue order, as the server's: incidents being worked by priority then oldest first; resolved ones
   * (waiting to be closed) at the end. */
  function queue() {
    const resolved = (i) => (i.status === 'resolved' ? 1 : 0);
    return [...incidents.values()]
      .sort((a, b) => (resolved(a) - resolved(b)) || (a.priority - b.priority) || (a.reportedMs - b.reportedMs));
  }

  return {
    incidents,
    units,
    on,
    emit,
    serverNow,
    setIncidents,
    upsertIncident,
    applyAssignment,
    setUnits,
    upsertUnit,
    queue,
    getIncident: (id) => incidents.get(idKey(id)),
    getUnit: (id) => units.get(idKey(id)),
  };
}

/** Seconds an incident has been open, by the server's clock. */
export const ageOf = (store, incident) => (store.serverNow() - incident.reportedMs) / 1000;

/** Callback flag: the server's word, or the due time passing while the console watches. */
export function callbackOverdue(store, incident) {
  if (incident.callback_overdue) return true;
  const due = Date.parse(incident.callback_due_at || '');
  return Number.isFinite(due) && due < store.serverNow();
}

/**
 * Seconds a new incident may wait untouched before its timer turns red. The tenant's SLA table is not
 * part of the staff API yet, so these are the defaults of the design (P1 is auto-dispatched at once).
 */
const UNATTENDED_LIMIT_S = { 1: 60, 2: 300, 3: 900, 4: 3600 };

export function unattendedTooLong(store, incident) {
  return incident.status === 'new' && ageOf(store, incident) > (UNATTENDED_LIMIT_S[incident.priority] ?? 900);
}
