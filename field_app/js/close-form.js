/**
 * Closing a case: outcome, notes and photos from the camera. Photos are compressed at once on the phone
 * by the citizen app's image module (≤ 1600 px, JPEG, EXIF dropped) and travel as Blobs in the outbox
 * record; the queue uploads them (3-step upload of the shared API client) and then posts the closure.
 */
import { h, mount } from '/app/js/dom.js';
import { compressImage } from '/app/js/image.js';
import { OUTCOMES, project } from './actions.js';

const MAX_PHOTOS = 5;

export function renderClose(view, ctx, assignmentId) {
  const { t } = ctx;
  const found = ctx.assignments.find(assignmentId);
  const assignment = found && project(found, ctx.actions.records);
  const state = { outcome: null, notes: '', photos: [], error: '', busy: false };
  const urls = new Map();

  if (!assignment || assignment.shownStatus === 'cleared') {
    mount(view,
      h('h1', {}, t('close.missing')),
      h('button', { type: 'button', class: 'btn btn-secondary btn-block', onclick: () => ctx.navigate('#/') }, t('nav.back')));
    return null;
  }

  async function addPhotos(event) {
    const files = [...event.target.files];
    event.target.value = '';
    for (const file of files) {
      if (state.photos.length >= MAX_PHOTOS) { state.error = t('close.photoLimit', { n: MAX_PHOTOS }); break; }
      try {
        const { blob } = await compressImage(file);
        state.photos.push(blob);
        state.error = '';
      } catch {
        state.error = t('close.photoError');
      }
    }
    draw();
  }

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return;
    if (!state.outcome) { state.error = t('close.outcomeRequired'); draw(); return; }
    state.busy = true;
    await ctx.actions.clear(assignment, { outcome: state.outcome, notes: state.notes.trim(), photos: state.photos });
    ctx.duty.sendNow();
    ctx.navigate('#/', { replace: true });
  }

  const thumb = (blob) => {
    if (!urls.has(blob)) urls.set(blob, URL.createObjectURL(blob));
    return urls.get(blob);
  };

  function draw() {
    mount(view, h('form', { class: 'close-form', novalidate: true, onsubmit: submit },
      h('h1', {}, t('close.title', { code: assignment.incident?.code || '' })),
      h('fieldset', { class: 'outcomes' },
        h('legend', {}, t('close.outcome')),
        OUTCOMES.map((code) => h('label', { class: `choice${state.outcome === code ? ' is-checked' : ''}` },
          h('input', {
            type: 'radio', name: 'outcome', value: code, checked: state.outcome === code,
            dataset: { testid: `close-outcome-${code}` },
            onchange: () => { state.outcome = code; state.error = ''; draw(); },
          }),
          h('span', {}, t(`outcome.${code}`))))),
      h('label', { class: 'field' },
        h('span', {}, t('close.notes')),
        h('textarea', {
          rows: 4, maxlength: 2000, value: state.notes, placeholder: t('close.notesHint'),
          dataset: { testid: 'close-notes' },
          oninput: (e) => { state.notes = e.target.value; },
        })),
      h('fieldset', { class: 'photos-field' },
        h('legend', {}, t('close.photos')),
        h('div', { class: 'photos' }, state.photos.map((blob, index) => h('div', { class: 'thumb', dataset: { testid: 'close-photo-thumb' } },
          h('img', { src: thumb(blob), alt: '' }),
          h('button', {
            type: 'button', class: 'thumb-remove', 'aria-label': t('close.removePhoto', { n: index + 1 }),
            onclick: () => { state.photos.splice(index, 1); draw(); },
          }, '×')))),
        state.photos.length < MAX_PHOTOS && h('label', { class: 'btn btn-secondary btn-block file-button' },
          h('input', {
            type: 'file', accept: 'image/*', capture: 'environment', multiple: true, class: 'visually-hidden',
            dataset: { testid: 'close-photo-input' }, onchange: addPhotos,
          }),
          t('close.takePhoto'))),
      state.error && h('p', { class: 'alert-error', role: 'alert', dataset: { testid: 'close-error' } }, state.error),
      h('button', { type: 'submit', class: 'btn btn-danger btn-huge', disabled: state.busy, dataset: { testid: 'close-submit' } },
        t('close.submit')),
      h('button', { type: 'button', class: 'btn btn-outline btn-block', onclick: () => ctx.navigate('#/') }, t('nav.back'))));
  }

  draw();
  return () => urls.forEach((url) => URL.revokeObjectURL(url));
}
