import { ApiError } from '/shared/api-client.js';

/**
 * The photos of one outbox record (a report or a participation request), uploaded one at a time before the
 * record's POST. Each photo's progress is saved in the record, so a retry never uploads a finished photo
 * again and the POST of a retry names the same photo ids (the same body under the same Idempotency-Key).
 *
 * Record data: {photos: [{blob, upload: {...progress}}], photosReset?, ...}
 */

const STALE_PHOTO = new Set(['photo_not_found', 'photo_not_ready', 'photo_replaced']);

/** Upload what is not uploaded yet, then `post(photoIds)`; its result is the send's result. */
export async function sendWithPhotos(api, record, { save, progress }, post) {
  const photos = record.data.photos || [];
  const photoIds = [];
  for (const [index, photo] of photos.entries()) {
    if (!photo.upload.ready) progress({ step: 'photo', done: index, total: photos.length });
    photoIds.push(await api.uploadFile(photo.blob, photo.upload, save));
  }
  try {
    return await post(photoIds);
  } catch (error) {
    // An upload that waited too long (days offline) was removed by the server, or its file changed after it was
    // checked (photo_replaced): upload the photos again, once.
    if (photos.length && STALE_PHOTO.has(error.code) && !record.data.photosReset) {
      record.data.photosReset = true;
      for (const photo of photos) photo.upload = {};
      await save();
      throw new ApiError({ status: 503, code: 'upload_restart', detail: error.detail });
    }
    throw error;
  }
}

/** A form's photos → what the outbox record keeps (the compressed blob and its upload progress). */
export const recordPhotos = (photos) => photos.map((p) => ({ blob: p.blob, upload: p.upload }));

/** A refused record's photos back into a form draft, keeping finished uploads. */
export const draftPhotos = (photos = []) =>
  photos.map((p, i) => ({ key: `r${i}`, blob: p.blob, url: URL.createObjectURL(p.blob), upload: p.upload }));
