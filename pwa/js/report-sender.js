import { saveReport } from './store.js';
import { recordPhotos, sendWithPhotos } from './photo-upload.js';

/**
 * How one outbox record becomes a report on the server: upload each photo that is not ready yet (see
 * photo-upload.js), then POST the report with the record id as Idempotency-Key. 201 is a new report, 200 a
 * replay of one already made.
 *
 * Record data: {report: <ReportCreate body without photo_ids>, photos: [{blob, upload: {...progress}}],
 *               categoryName, lang}
 */

export function createReportSender(api) {
  return async function sendReport(record, { save, progress }) {
    return sendWithPhotos(api, record, { save, progress }, async (photoIds) => {
      progress({ step: 'report' });
      const { data } = await api.post('/api/v1/reports', { ...record.data.report, photo_ids: photoIds }, {
        headers: { 'Idempotency-Key': record.id },
        timeout: 60000,
      });
      return data;
    });
  };
}

/** The outbox's `onSent` for reports: kept in "Mis reportes" before the outbox forgets the record. */
export function keepReport(record, result) {
  return saveReport({
    code: result.code,
    token: result.tracking_token,
    status: result.status,
    statusLabel: null,
    reportedAt: result.reported_at,
    categoryCode: record.data.categoryCode,
    categoryName: record.data.categoryName,
    description: record.data.report.description.slice(0, 140),
    outboxId: record.id,
  });
}

/** The report body the API expects, from what the wizard collected. */
export function reportBody(draft) {
  const body = {
    category: draft.category.code,
    description: draft.description.trim(),
    location: { lat: round(draft.location.lat), lon: round(draft.location.lon) },
    anonymous: draft.anonymous,
  };
  // accuracy_m is what the GPS reported, even when the citizen moved the pin afterwards.
  if (draft.location.accuracy != null) body.location.accuracy_m = Math.round(draft.location.accuracy * 10) / 10;
  if (draft.occurredAt) body.occurred_at = new Date(draft.occurredAt).toISOString().replace(/\.\d+Z$/, 'Z');
  if (!draft.anonymous) {
    body.contact = {
      name: draft.contact.name.trim(),
      phone: draft.contact.phone.trim(),
      email: draft.contact.email.trim(),
      callback_wanted: draft.contact.callback,
    };
  }
  return body;
}

const round = (value) => Math.round(value * 1e6) / 1e6; // ~0.1 m, more is noise

/** A wizard draft → the data kept in the outbox record (photos keep their upload progress). */
export function recordData(draft, lang) {
  return {
    report: reportBody(draft),
    photos: recordPhotos(draft.photos),
    categoryName: draft.category.name,
    categoryCode: draft.category.code,
    emergency: Boolean(draft.category.emergency),
    location: draft.location,
    lang,
  };
}
