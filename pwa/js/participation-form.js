/**
 * "Sugerencias y reclamos": a complaint, suggestion or question to the municipality, outside the crime
 * workflow (no incident, no dispatch). One short screen over a draft in `ctx.participationDraft`: kind,
 * topic, description, the place when the topic needs one (a map point or a written address), up to three
 * photos (the report's photo field, compressed on the phone), an optional contact, send. Like a report, the request is stored in the outbox before the first attempt, so no signal
 * delays it but never loses it; while online the citizen waits for the answer (the code, or what to fix).
 */
import { h, mount, announce } from './dom.js';
import { insideArea } from './geo.js';
import { persistStorage, getRequest } from './store.js';
import { pushSupported } from '/shared/push.js';
import { followButton } from './confirmation.js';
import { sendNow } from './wizard.js';
import { MAX_DESCRIPTION } from './step-details.js';
import { contactProblem } from './step-contact.js';
import * as place from './step-location.js';
import * as photoField from './step-photos.js';
import { draftPhotos } from './photo-upload.js';
import { KIND, MAX_PHOTOS, recordData } from './participation-sender.js';

export const KINDS = ['complaint', 'suggestion', 'question'];
const PLACE_NEEDED = 'participation_place_needed';
const OUTSIDE = 'outside_service_area';

export function newRequestDraft() {
  return {
    recordId: null,
    replaces: null, // a failed outbox record this draft corrects; discarded once the new one is stored
    kind: null,
    topic: null, // a topic from /participation/topics: {code, name, department, needs_location, ...}
    description: '',
    mapOpen: false,
    location: null, // {lat, lon, accuracy, adjusted, source}, as on the report's map step
    address: '',
    photos: [], // {key, blob, url, upload: {id, sent, ready, ...}}, as in the report's draft
    contact: { name: '', phone: '', email: '' },
    error: null, // {code, detail} of the server's last refusal
    sending: false,
  };
}

/** Reopen a request the server refused (from "Mis reportes") with everything the citizen wrote. */
export function startRequestCorrection(ctx, record) {
  const data = record.data;
  const request = data.request;
  const known = ctx.topics.find((topic) => topic.code === data.topicCode);
  const topic = known || { code: data.topicCode, name: data.topicName, department: { name: data.departmentName } };
  ctx.participationDraft = Object.assign(newRequestDraft(), {
    replaces: record.id,
    kind: data.kind,
    topic: record.error?.code === PLACE_NEEDED ? { ...topic, needs_location: true } : topic,
    description: request.description,
    mapOpen: Boolean(data.location),
    location: data.location,
    address: request.address || '',
    photos: draftPhotos(data.photos),
    contact: { name: '', phone: '', email: '', ...request.contact },
    error: record.error,
  });
  ctx.navigate('#/participation');
}

/** The first problem as {key, field} (the id of the control that fixes it), or null. */
export function validate(ctx, draft) {
  if (!draft.kind) return { key: 'participation.kindRequired', field: `kind-${KINDS[0]}` };
  if (!draft.topic) return { key: 'participation.topicRequired', field: 'topic' };
  if (!draft.description.trim()) return { key: 'participation.descriptionRequired', field: 'request-description' };
  if (draft.description.length > MAX_DESCRIPTION) return { key: 'details.tooLong', field: 'request-description' };
  const loc = draft.location;
  if (loc && insideArea(ctx.tenant?.service_area, loc.lat, loc.lon) === false) return { key: 'location.outside', field: 'map' };
  if (draft.topic.needs_location && !loc && !draft.address.trim()) return { key: 'participation.placeNeeded', field: 'address' };
  if (photoField.validate(ctx, draft)) return { key: 'photos.wait', field: 'photo-input' };
  const contact = contactProblem(draft.contact);
  if (contact) return { key: contact, field: contact === 'contact.phoneInvalid' ? 'request-phone' : 'request-email' };
  return null;
}

/** "en 3 días" / "en 36 horas": deadlines are set in hours, whole days read better. */
function within(ctx, hours) {
  return hours >= 48 && hours % 24 === 0
    ? ctx.t('participation.withinDays', { n: hours / 24 })
    : ctx.t('participation.withinHours', { n: hours });
}

function kindChoice(ctx, draft, kind, onChange) {
  const id = `kind-${kind}`;
  return h('div', { class: 'check choice' },
    h('input', { type: 'radio', name: 'kind', id, value: kind, checked: draft.kind === kind,
      'aria-describedby': `${id}-hint`, dataset: { testid: `participation-kind-${kind}` },
      onchange: () => { draft.kind = kind; onChange(); } }),
    h('label', { for: id },
      h('span', {}, ctx.t(`participation.kind.${kind}`)),
      h('span', { class: 'meta', id: `${id}-hint` }, ctx.t(`participation.kindHint.${kind}`))));
}

function field(id, labelKey, t, attrs) {
  return h('div', { class: 'field' },
    h('label', { for: id, class: 'label' }, t(labelKey)),
    h('input', { id, name: id, ...attrs }));
}

export function renderParticipation(view, ctx) {
  const { t } = ctx;
  const draft = (ctx.participationDraft ||= newRequestDraft());
  // The topics may have been reloaded in another language (or changed) since the topic was chosen.
  const current = draft.topic && ctx.topics.find((topic) => topic.code === draft.topic.code);
  if (current) draft.topic = { ...current, needs_location: current.needs_location || draft.topic.needs_location };
  let mapCleanup = null;

  const message = h('p', { class: 'error-text', role: 'alert', id: 'participation-error', tabindex: '-1',
    dataset: { testid: 'participation-error' } });
  const status = h('p', { class: 'meta', role: 'status', dataset: { testid: 'participation-status' } });
  const showError = (text) => { message.textContent = text; };
  const clearServerError = () => {
    if (draft.error) { draft.error = null; showError(''); }
  };

  // Topic: what it is about decides the department, the deadline and whether a place is needed.
  const topicInfo = h('p', { class: 'meta', id: 'topic-info', dataset: { testid: 'topic-info' } });
  const topicSelect = h('select', {
    id: 'topic', name: 'topic', required: true, 'aria-describedby': 'topic-info',
    dataset: { testid: 'participation-topic' },
    onchange: () => {
      draft.topic = [...ctx.topics, draft.topic].find((topic) => topic?.code === topicSelect.value) || null;
      showTopic();
      if (draft.topic?.needs_location && !draft.mapOpen && !draft.address.trim()) setMap(true);
    },
  }, h('option', { value: '' }, t('participation.topicChoose')),
  [...ctx.topics, ...(draft.topic && !current ? [draft.topic] : [])].map((topic) =>
    h('option', { value: topic.code }, topic.name)));
  topicSelect.value = draft.topic?.code || '';

  // Place: a point on the map (the report's location step, reused) or a written reference, or both.
  const placeHint = h('p', { class: 'meta', id: 'place-hint', dataset: { testid: 'place-hint' } });
  const address = h('input', {
    type: 'text', id: 'address', name: 'address', maxlength: '200', autocomplete: 'street-address',
    'aria-describedby': 'place-hint', value: draft.address, dataset: { testid: 'participation-address' },
    oninput: () => { draft.address = address.value; if (draft.error?.code === PLACE_NEEDED) clearServerError(); },
  });
  const mapHolder = h('div', { id: 'place-map', dataset: { testid: 'place-map' } });
  const mapToggle = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-controls': 'place-map',
    dataset: { testid: 'participation-map-toggle' }, onclick: () => setMap(!draft.mapOpen) });

  function setMap(open) {
    draft.mapOpen = open;
    mapToggle.setAttribute('aria-expanded', String(open));
    mapToggle.textContent = t(open ? 'participation.mapRemove' : 'participation.mapAdd');
    if (typeof mapCleanup === 'function') mapCleanup();
    mapCleanup = null;
    if (open) {
      mapCleanup = place.render(mapHolder, ctx, draft, { showError, mapLabel: 'participation.mapLabel' });
    } else {
      draft.location = null; // closing the map is how a point is taken back
      mount(mapHolder);
    }
  }

  function showTopic() {
    const topic = draft.topic;
    topicInfo.textContent = topic
      ? t('participation.topicInfo', { department: topic.department?.name || '', within: within(ctx, topic.answer_within_h) })
      : '';
    placeHint.textContent = t(topic?.needs_location ? 'participation.placeRequired' : 'participation.placeOptional');
  }

  const counter = h('p', { class: 'meta counter', id: 'request-description-counter', 'aria-live': 'polite' });
  const updateCounter = () => {
    counter.textContent = t('details.counter', { n: draft.description.length, max: MAX_DESCRIPTION });
  };
  const description = h('textarea', {
    id: 'request-description', name: 'description', rows: 6, required: true, maxlength: String(MAX_DESCRIPTION),
    'aria-describedby': 'request-description-hint request-description-counter', value: draft.description,
    dataset: { testid: 'participation-description' },
    oninput: () => { draft.description = description.value; updateCounter(); },
  });

  const photos = h('div', { dataset: { testid: 'participation-photos' } });

  const c = draft.contact;
  const bind = (key) => (event) => { c[key] = event.target.value; };
  const phone = ctx.tenant?.emergency_phone;

  const send = h('button', { type: 'button', class: 'btn btn-primary', id: 'send-request',
    dataset: { testid: 'send-request' }, onclick: () => onSend() }, t('participation.send'));
  const ui = {
    busy(text) {
      send.disabled = true;
      send.setAttribute('aria-busy', 'true');
      send.textContent = t('send.busy');
      status.textContent = text;
    },
    /** False when this form is no longer on screen (the citizen left while it was being sent). */
    failed(error) {
      if (!send.isConnected) return false;
      send.disabled = false;
      send.removeAttribute('aria-busy');
      send.textContent = t('participation.send');
      status.textContent = '';
      showTopic(); // a place may be needed after all
      showError(error.detail || t('participation.failedGeneric'));
      const fix = error.code === PLACE_NEEDED ? address : error.code === OUTSIDE ? mapHolder.querySelector('#map') : null;
      (fix || message).focus();
      return true;
    },
  };

  function onSend() {
    const problem = validate(ctx, draft);
    if (!problem) return submit(ctx, draft, ui);
    showError(t(problem.key));
    announce(t(problem.key));
    const target = document.getElementById(problem.field);
    if (target) target.focus();
    else message.focus();
  }

  mount(view,
    h('h1', {}, t('participation.title')),
    h('p', { class: 'lead' }, t('participation.lead')),
    h('p', { class: 'note', dataset: { testid: 'participation-not-emergency' } },
      phone ? t('participation.notEmergency', { phone }) : t('participation.notEmergencyNoPhone'),
      phone && [' ', h('a', { href: `tel:${phone}` }, t('emergency.call', { phone }))]),
    !ctx.topics.length && h('p', { class: 'error-text' }, t('participation.topicsUnavailable')),
    h('fieldset', { class: 'choices' },
      h('legend', {}, t('participation.kindLegend')),
      KINDS.map((kind) => kindChoice(ctx, draft, kind, clearServerError))),
    h('label', { for: 'topic', class: 'label' }, t('participation.topic')),
    topicSelect,
    topicInfo,
    h('label', { for: 'request-description', class: 'label' }, t('details.description')),
    h('p', { class: 'meta', id: 'request-description-hint' }, t('participation.descriptionHint')),
    description,
    counter,
    h('fieldset', { class: 'place' },
      h('legend', {}, t('participation.placeLegend')),
      placeHint,
      h('label', { for: 'address', class: 'label' }, t('participation.address')),
      address,
      h('div', { class: 'actions-inline' }, mapToggle),
      mapHolder),
    h('fieldset', { class: 'photos' },
      h('legend', {}, t('participation.photosLegend')),
      photos),
    h('fieldset', { class: 'contact-fields' },
      h('legend', {}, t('participation.contactLegend')),
      h('p', { class: 'meta' }, t('participation.contactHint')),
      field('request-name', 'contact.name', t, { type: 'text', autocomplete: 'name', maxlength: '120', value: c.name,
        oninput: bind('name'), dataset: { testid: 'participation-contact-name' } }),
      field('request-phone', 'participation.phone', t, { type: 'tel', autocomplete: 'tel', inputmode: 'tel', maxlength: '32',
        value: c.phone, oninput: bind('phone'), dataset: { testid: 'participation-contact-phone' } }),
      field('request-email', 'contact.email', t, { type: 'email', autocomplete: 'email', maxlength: '254', value: c.email,
        oninput: bind('email'), dataset: { testid: 'participation-contact-email' } })),
    h('p', { class: 'note' }, t('contact.privacy')),
    h('p', { class: 'meta' }, t('participation.safeNote')),
    message,
    status,
    h('div', { class: 'wizard-nav' },
      h('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'cancel-request' },
        onclick: () => { discardRequestDraft(ctx); ctx.navigate('#/'); } }, t('wizard.cancel')),
      send));

  showTopic();
  updateCounter();
  setMap(draft.mapOpen);
  photoField.render(photos, ctx, draft, { showError, max: MAX_PHOTOS, hint: 'participation.photosHint' });
  if (draft.error) showError(draft.error.detail || t('participation.failedGeneric'));
  if (draft.sending) ui.busy(t('participation.sending'));
  return () => { if (typeof mapCleanup === 'function') mapCleanup(); };
}

async function submit(ctx, draft, ui) {
  const { t } = ctx;
  if (draft.sending) return;
  draft.sending = true;
  draft.error = null;
  ui.busy(t('participation.saving'));
  persistStorage();
  const id = await ctx.outbox.add(recordData(draft, ctx.i18n.lang), { kind: KIND });
  draft.recordId = id;
  if (draft.replaces) await ctx.outbox.discard(draft.replaces);
  draft.replaces = null;
  ui.busy(t('participation.sending'));
  const outcome = await sendNow(ctx, id, (p) => ui.busy(p.step === 'photo'
    ? t('send.photo', { n: p.done + 1, total: p.total })
    : t('participation.sending')));
  draft.sending = false;
  if (ctx.participationDraft !== draft) return; // cancelled meanwhile: the outcome is in "Mis reportes"
  if (outcome.type === 'failed') {
    // The failed record stays in "Mis reportes" until this draft, corrected, replaces it; finished photo
    // uploads are kept, so sending it again uploads nothing twice.
    const record = await ctx.outbox.get(id);
    record?.data.photos?.forEach((p, i) => { if (draft.photos[i]) draft.photos[i].upload = p.upload; });
    draft.replaces = id;
    draft.recordId = null;
    draft.error = outcome.error;
    if (outcome.error.code === PLACE_NEEDED) draft.topic = { ...draft.topic, needs_location: true };
    // Shown on this form, or on the one the citizen reopened meanwhile (which waits as "sending").
    if (!ui.failed(outcome.error) && location.hash === '#/participation') ctx.render();
    return;
  }
  ctx.lastRequest = { ...outcome, topic: draft.topic, kind: draft.kind };
  discardRequestDraft(ctx); // the photos live on in the outbox record until the server has them
  ctx.navigate('#/participation/done', { replace: true });
}

function discardRequestDraft(ctx) {
  ctx.participationDraft?.photos.forEach((p) => p.url && URL.revokeObjectURL(p.url));
  ctx.participationDraft = null;
}

/** After "send": the request's code, who answers it and by when, or the promise to send it later. */
export function renderParticipationDone(view, ctx) {
  const { t } = ctx;
  const done = ctx.lastRequest;
  if (!done) return ctx.navigate('#/', { replace: true });
  const mine = h('a', { href: '#/reports', class: 'btn btn-primary btn-block', dataset: { testid: 'go-my-reports' } }, t('reports.title'));
  const home = h('a', { href: '#/', class: 'btn btn-secondary btn-block' }, t('nav.backHome'));
  if (done.type === 'sent') {
    const { code, due_at: dueAt } = done.result;
    mount(view,
      h('section', { class: 'confirmation', dataset: { testid: 'request-sent' } },
        h('h1', {}, t('participation.doneTitle')),
        h('p', {}, t('participation.codeIntro')),
        h('p', { class: 'code big-code long-code', dataset: { testid: 'request-code' } }, code),
        h('p', {}, t('participation.doneDepartment', { department: done.topic.department?.name || '' })),
        h('p', { dataset: { testid: 'request-due' } }, t('participation.due', { when: ctx.i18n.formatDate(dueAt) })),
        h('p', { class: 'meta' }, t('participation.doneNote'))),
      pushSupported() && followButton(ctx, {
        path: `/api/v1/participation/requests/${encodeURIComponent(code)}/subscriptions`,
        token: async () => (await getRequest(code)).token,
        button: 'participation.follow',
        subscribed: 'participation.followed',
        testid: 'follow-request',
      }),
      mine, home);
    return;
  }
  mount(view,
    h('section', { class: 'confirmation queued', dataset: { testid: 'request-queued' } },
      h('h1', {}, t('participation.queuedTitle')),
      h('p', {}, h('span', { class: 'badge badge-pending' }, t('reports.pending'))),
      h('p', {}, t('participation.queuedText')),
      done.error?.status > 0 && done.error.detail && h('p', { class: 'meta' }, done.error.detail)),
    mine, home);
}
