/**
 * Step 2: up to five photos, shrunk on the phone (see image.js) as soon as they are chosen, so what waits
 * in the outbox is already small. Two inputs: the camera (capture) and the gallery, because on Android
 * `capture` opens the camera only. The participation form shows the same field with its own limit and hint.
 */
import { h, mount, announce } from './dom.js';
import { compressImage } from './image.js';

export const MAX_PHOTOS = 5;
export const title = 'photos.title';

export const validate = (ctx, draft) => (draft.photos.some((p) => p.processing) ? 'photos.wait' : null);

let counter = 0;
let redraw = () => {}; // the latest render's; photos finish decoding after the citizen may have moved on

export function render(body, ctx, draft, { showError, max = MAX_PHOTOS, hint = 'photos.hint' }) {
  const { t } = ctx;
  const thumbs = h('ul', { class: 'thumbs', 'aria-label': t('photos.chosen'), dataset: { testid: 'photo-thumbs' } });
  const count = h('p', { class: 'meta', role: 'status', dataset: { testid: 'photo-count' } });

  const input = (id, testid, capture, labelKey, primary) => {
    const el = h('input', {
      type: 'file', id, accept: 'image/*', multiple: true, capture: capture || null,
      class: 'visually-hidden', dataset: { testid }, onchange: () => { add([...el.files]); el.value = ''; },
    });
    return h('div', { class: 'file-pick' }, el,
      h('label', { for: id, class: `btn btn-block ${primary ? 'btn-primary' : 'btn-secondary'}` }, t(labelKey)));
  };

  function draw() {
    const full = draft.photos.length >= max;
    for (const el of body.querySelectorAll('input[type=file]')) el.disabled = full;
    count.textContent = t('photos.count', { n: draft.photos.length, max });
    mount(thumbs, draft.photos.map((photo, i) => h('li', { class: 'thumb', dataset: { testid: 'photo-thumb' } },
      photo.processing
        ? h('span', { class: 'thumb-busy' }, t('photos.processing'))
        : h('img', { src: photo.url, alt: t('photos.alt', { n: i + 1 }), width: 96, height: 96 }),
      h('button', {
        type: 'button', class: 'thumb-remove', dataset: { testid: 'remove-photo' },
        'aria-label': t('photos.remove', { n: i + 1 }),
        disabled: photo.processing,
        onclick: () => {
          URL.revokeObjectURL(photo.url);
          draft.photos.splice(draft.photos.indexOf(photo), 1);
          draw();
          announce(t('photos.removed'));
        },
      }, '×'))));
  }

  async function add(files) {
    showError('');
    const room = max - draft.photos.length;
    if (files.length > room) showError(t('photos.tooMany', { max }));
    const slots = files.slice(0, Math.max(0, room)).map((file) => {
      const photo = { key: `p${++counter}`, processing: true, upload: {} };
      draft.photos.push(photo);
      return [file, photo];
    });
    draw();
    // One at a time: decoding several 12-megapixel photos at once exhausts a cheap phone's memory.
    for (const [file, photo] of slots) {
      try {
        const { blob } = await compressImage(file);
        Object.assign(photo, { blob, url: URL.createObjectURL(blob), processing: false });
      } catch {
        draft.photos.splice(draft.photos.indexOf(photo), 1);
        showError(t('photos.unreadable', { name: file.name }));
      }
      redraw();
    }
    announce(t('photos.count', { n: draft.photos.length, max }));
  }

  mount(body,
    h('p', {}, t(hint, { max })),
    input('photo-input', 'photo-input', 'environment', 'photos.camera', true),
    input('photo-gallery-input', 'photo-gallery-input', null, 'photos.gallery', false),
    count,
    thumbs);
  redraw = draw;
  draw();
}
