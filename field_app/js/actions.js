/**
 * Everything the officer does to an assignment (and incidents raised from the field) goes through the
 * shared outbox (IndexedDB `sereno-field-outbox`): stored durably at the tap, sent one at a time in the
 * order of the taps, exactly once. The record id is the `action_id` the server deduplicates on and
 * `device_at` is the time of the tap, so a closure sent an hour later still says when it happened.
 *
 * The screen shows the assignment as it will be once the queue is sent (`project`), with the queued
 * actions marked "pendiente de envío". A 409 (illegal or stale transition) fails the record with the
 * server's message; the app then re-reads the assignment from the server.
 *
 * Record data: {kind: 'step'|'incident', user, assignmentId?, action?, code?, body, photos: [{blob, upload}]}
 */
import { createOutbox, PENDING, FAILED } from '/shared/offline-queue.js';
import { ApiError } from '/shared/api-client.js';

export { PENDING, FAILED };

/** The one next step for each assignment status, and what each action leads to. */
export const NEXT_ACTION = {
  proposed: 'acknowledge',
  assigned: 'acknowledge',
  acknowledged: 'en_route',
  en_route: 'on_scene',
  on_scene: 'clear',
};
export const RESULT_STATUS = {
  acknowledge: 'acknowledged',
  decline: 'declined',
  en_route: 'en_route',
  on_scene: 'on_scene',
  clear: 'cleared',
};
export const OUTCOMES = [
  'resolved_on_scene', 'arrest', 'referred_police', 'referred_other', 'no_one_found', 'unfounded', 'duplicate',
];

const STALE_PHOTO = new Set(['photo_not_found', 'photo_not_ready']);
const isoNow = () => new Date().toISOString();

export function createActions({ api, session, t, onAnswer = () => {} }) {
  async function send(record, { save, progress }) {
    const { kind, user, assignmentId, action, body, photos = [] } = record.data;
    // Signed out: the queue pauses (as on any 401) until someone signs in again.
    if (!session.active) throw new ApiError({ status: 401, code: 'signed_out' });
    if (user !== session.user?.username) {
      // Queued by another officer on this phone: never send it with someone else's token.
      throw new ApiError({ status: 403, code: 'other_user', detail: t('pending.otherUser') });
    }
    const photoIds = [];
    for (const [index, photo] of photos.entries()) {
      if (!photo.upload.ready) progress({ step: 'photo', done: index, total: photos.length });
      photoIds.push(await api.uploadFile(photo.blob, photo.upload, save));
    }
    const payload = { ...body, action_id: record.id };
    if (photos.length) payload.photo_ids = photoIds;
    const path = kind === 'incident'
      ? '/api/v1/field/incidents'
      : `/api/v1/field/assignments/${encodeURIComponent(assignmentId)}/${action}`;
    try {
      return (await api.post(path, payload, { timeout: 60000 })).data;
    } catch (error) {
      // Photos uploaded long ago (days offline) were removed by the server: upload them again, once.
      if (STALE_PHOTO.has(error.code) && !record.data.photosReset) {
        record.data.photosReset = true;
        for (const photo of photos) photo.upload = {};
        await save();
        throw new ApiError({ status: 503, code: 'upload_restart', detail: error.detail });
      }
      throw error;
    }
  }

  const outbox = createOutbox({
    dbName: 'sereno-field-outbox', send, baseDelayMs: 3000, maxDelayMs: 2 * 60 * 1000,
    onSent: async (record, result) => { if (record.data.kind === 'step' && result?.id) onAnswer(result); },
  });
  let records = [];
  const listeners = new Set();

  async function reload() {
    records = await outbox.list();
    listeners.forEach((fn) => fn(records));
  }
  outbox.subscribe((event) => {
    if (event.type !== 'progress') reload();
  });

  async function queue(data) {
    const id = await outbox.add({ ...data, user: session.user?.username });
    await reload();
    outbox.flush();
    return id;
  }

  return {
    outbox,
    get records() { return records; },
    reload,
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },

    /** A status step (acknowledge, decline, en_route, on_scene) as tapped now. */
    step(assignment, action) {
      return queue({
        kind: 'step', assignmentId: assignment.id, action, code: assignment.incident?.code,
        body: { device_at: isoNow() },
      });
    },

    /** The closure: outcome, notes and the compressed photos (Blobs kept in the record until sent). */
    clear(assignment, { outcome, notes, photos, deviceAt = isoNow() }) {
      return queue({
        kind: 'step', assignmentId: assignment.id, action: 'clear', code: assignment.incident?.code,
        body: { device_at: deviceAt, outcome, notes },
        photos: photos.map((blob) => ({ blob, upload: {} })),
      });
    },

    incident({ category, categoryName, description, location }) {
      return queue({
        kind: 'incident', categoryName,
        body: { category, description, location, device_at: isoNow() },
      });
    },

    discard: (id) => outbox.discard(id),
    retry: (id) => outbox.retry(id),
  };
}

/** The records (pending or failed) concerning one assignment, oldest first. */
export function recordsFor(records, assignmentId) {
  return records.filter((r) => r.data.kind === 'step' && String(r.data.assignmentId) === String(assignmentId));
}

/**
 * The assignment as the officer should see it: the server's status moved on by the actions still waiting
 * to be sent. Failed actions change nothing (the server refused them).
 */
export function project(assignment, records) {
  const pending = recordsFor(records, assignment.id).filter((r) => r.state === PENDING);
  const last = pending[pending.length - 1];
  return {
    ...assignment,
    shownStatus: last ? RESULT_STATUS[last.data.action] : assignment.status,
    pending: pending.length > 0,
  };
}
