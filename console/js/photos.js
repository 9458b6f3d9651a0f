/**
 * The photos of an incident or of a participation request in a staff panel: thumbnails, each opening full
 * size in the page's #photo-viewer dialog. Both are renditions made by the server without metadata; the
 * console is never given an original.
 */
import { h } from './dom.js';

/** The "Fotos" heading and the thumbnails, or null when there are none (yet: renditions come from the worker). */
export function photoThumbs(ctx, photos, { testid = 'photo-thumbs' } = {}) {
  if (!photos?.length) return null;
  const total = photos.length;
  return [
    h('h3', {}, ctx.t('detail.photos')),
    h('ul', { class: 'thumbs', 'data-testid': testid }, photos.map((photo, i) => h('li', {},
      h('button', { type: 'button', class: 'thumb', onclick: () => openPhoto(ctx, photo, i, total) },
        h('img', { src: photo.thumb_url || photo.url, alt: ctx.t('detail.photoN', { n: i + 1, total }), loading: 'lazy' }))))),
  ];
}

function openPhoto(ctx, photo, index, total) {
  const dialog = document.getElementById('photo-viewer');
  const img = dialog.querySelector('img');
  img.src = photo.url;
  img.alt = ctx.t('detail.photoN', { n: index + 1, total });
  dialog.showModal();
}
