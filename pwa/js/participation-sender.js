/**
 * How a participation request (complaint, suggestion, question) travels: the form's draft becomes an outbox
 * record of kind `participation`; its photos are uploaded first, as a report's are (photo-upload.js), then
 * one POST with the record id as Idempotency-Key (201 new, 200 a replay) names them, and the answer is kept
 * in "Mis reportes" with its tracking token before the outbox forgets it.
 *
 * Record data: {request: <RequestCreate body without photo_ids>, photos: [{blob, upload: {...progress}}],
 *               kind, topicCode, topicName, departmentName, needsLocation, location, lang}
 */
import { saveRequest } from './store.js';
import { recordPhotos, sendWithPhotos } from './photo-upload.js';

export const KIND = 'participation';
export const MAX_PHOTOS = 3;

export function createParticipationSender(api) {
  return async function sendRequest(record, { save, progress }) {
    return sendWithPhotos(api, record, { save, progress }, async (photoIds) => {
      progress({ step: 'request' });
      // Without photos no photo_ids at all: the body a server from before photos on requests takes too.
      const body = photoIds.length ? { ...record.data.request, photo_ids: photoIds } : record.data.request;
      const { data } = await api.post('/api/v1/participation/requests', body, {
        headers: { 'Idempotency-Key': record.id },
        timeout: 60000,
      });
      return data;
    });
  };
}

/** The outbox's `onSent` for requests: code and token in "Mis reportes", with what the list shows. */
export function keepRequest(record, result) {
  const data = record.data;
  return saveRequest({
    code: result.code,
    token: result.tracking_token,
    status: result.status,
    statusLabel: null,
    receivedAt: result.received_at,
    dueAt: result.due_at,
    kind: data.kind,
    topicName: data.topicName,
    departmentName: data.departmentName,
    description: data.request.description.slice(0, 140),
    outboxId: record.id,
  });
}

const round = (value) => Math.round(value * 1e6) / 1e6; // ~0.1 m, more is noise

/** The body the API expects, from what the form collected. */
export function requestBody(draft) {
  const body = { kind: draft.kind, topic: draft.topic.code, description: draft.description.trim() };
  if (draft.location) {
    body.location = { lat: round(draft.location.lat), lon: round(draft.location.lon) };
    if (draft.location.accuracy != null) body.location.accuracy_m = Math.round(draft.location.accuracy * 10) / 10;
  }
  if (draft.address.trim()) body.address = draft.address.trim();
  const contact = Object.fromEntries(Object.entries(draft.contact).map(([key, value]) => [key, value.trim()]));
  if (contact.name || contact.phone || contact.email) body.contact = contact;
  return body;
}

/** A form draft → the data kept in the outbox record. */
export function recordData(draft, lang) {
  return {
    request: requestBody(draft),
    photos: recordPhotos(draft.photos || []),
    kind: draft.kind,
    topicCode: draft.topic.code,
    topicName: draft.topic.name,
    departmentName: draft.topic.department?.name || '',
    needsLocation: Boolean(draft.topic.needs_location),
    location: draft.location,
    lang,
  };
}
