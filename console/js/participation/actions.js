/**
 * What the staff can do with a request, offered by its status as the server's lifecycle allows
 * (backend/sereno/participation/lifecycle.py): Atender (received), Responder / Cerrar sin atender / Derivar
 * (received, in progress), Reabrir (answered, dismissed; supervisors and admins), an internal note (always).
 *
 * Answer, dismiss and transfer carry the version the clerk saw when the form was drawn (`formVersion`), so a
 * request someone else changed meanwhile is refused (409 `stale_request`) rather than answered twice.
 */
import { h, mount } from '../dom.js';
import { departmentName } from './list.js';

const OPEN = new Set(['received', 'in_progress']);
const CLOSED = new Set(['answered', 'dismissed']);

let formSeq = 0;
const uid = (name) => `pa-${name}-${++formSeq}`;

export function renderRequestActions(root, request, ctx, panel) {
  if (request.away) { mount(root); return; } // transferred to a queue this user does not work
  const s = request.status;
  const path = `/api/v1/participation/inbox/${encodeURIComponent(request.id)}`;
  const post = (action, body) => ctx.api.post(`${path}/${action}`, body);
  const version = request.formVersion;
  const buttons = h('div', { class: 'actions-inline' });
  const slot = h('div', { class: 'action-slot' });
  const opener = (testid, text, form, cls = 'btn btn-small') => h('button', {
    type: 'button', class: cls, 'data-testid': testid, 'aria-expanded': 'false',
    onclick: (event) => { setExpanded(event.currentTarget); form(); },
  }, text);

  if (s === 'received') {
    buttons.append(h('button', {
      type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'pa-start',
      onclick: (event) => panel.run(event.currentTarget, () => post('start'), ctx.t('pa.done.start')),
    }, ctx.t('pa.action.start')));
  }
  if (OPEN.has(s)) {
    buttons.append(
      opener('pa-answer', ctx.t('pa.action.answer'), answerForm, `btn btn-small${s === 'in_progress' ? ' btn-primary' : ''}`),
      opener('pa-dismiss', ctx.t('pa.action.dismiss'), dismissForm),
      opener('pa-transfer', ctx.t('pa.action.transfer'), transferForm));
  }
  if (CLOSED.has(s) && ctx.canReopen) {
    buttons.append(h('button', {
      type: 'button', class: 'btn btn-small', 'data-testid': 'pa-reopen',
      onclick: (event) => panel.run(event.currentTarget, () => post('reopen'), ctx.t('pa.done.reopen')),
    }, ctx.t('pa.action.reopen')));
  }

  mount(root,
    h('h3', {}, ctx.t('pa.actions')),
    buttons.childElementCount ? buttons : null,
    slot,
    noteForm());

  function setExpanded(button) {
    for (const b of buttons.querySelectorAll('[aria-expanded]')) b.setAttribute('aria-expanded', String(b === button));
  }

  function close() {
    mount(slot);
    setExpanded(null);
  }

  /** A form below the buttons: one text (and maybe a department), submit, "Volver". */
  function slotForm({ name, label, hint, submit, submitClass = 'btn-primary', extra = null, send, done }) {
    const id = uid(name);
    const text = h('textarea', { id, rows: 4, maxlength: 4000, required: true, 'data-testid': `pa-${name}-text`,
      'aria-describedby': hint ? `${id}-hint` : null });
    const form = h('form', {
      class: 'reason-form',
      onsubmit: (event) => {
        event.preventDefault();
        if (!text.value.trim() && name !== 'transfer') { text.focus(); return; }
        panel.run(event.submitter, () => send(text.value.trim()), done);
      },
    },
    extra,
    h('label', { for: id }, label),
    hint ? h('p', { class: 'meta', id: `${id}-hint` }, hint) : null,
    text,
    h('div', { class: 'actions-inline' },
      h('button', { type: 'submit', class: `btn btn-small ${submitClass}`, 'data-testid': `pa-${name}-submit` }, submit),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: close }, ctx.t('actions.back'))));
    mount(slot, form);
    (form.querySelector('select') || text).focus();
  }

  function answerForm() {
    slotForm({
      name: 'answer', label: ctx.t('pa.answer.label'), hint: ctx.t('pa.answer.hint'), submit: ctx.t('pa.answer.submit'),
      send: (text) => post('answer', { text, version }), done: ctx.t('pa.done.answer'),
    });
  }

  function dismissForm() {
    slotForm({
      name: 'dismiss', label: ctx.t('pa.dismiss.label'), hint: ctx.t('pa.dismiss.hint'), submit: ctx.t('pa.dismiss.submit'),
      submitClass: 'btn-danger', send: (reason) => post('dismiss', { reason, version }), done: ctx.t('pa.done.dismiss'),
    });
  }

  function transferForm() {
    const id = uid('transfer-to');
    const targets = ctx.departments().filter((d) => d.active && d.code !== request.department.code);
    const select = h('select', { id, required: true, 'data-testid': 'pa-transfer-department' },
      targets.map((d) => h('option', { value: d.code }, departmentName(ctx, d))));
    slotForm({
      name: 'transfer', label: ctx.t('pa.transfer.note'), hint: ctx.t('pa.transfer.hint'), submit: ctx.t('pa.transfer.submit'),
      extra: [h('label', { for: id }, ctx.t('pa.transfer.to')), select],
      send: (note) => post('transfer', { department: select.value, note, version }),
      done: ctx.t('pa.done.transfer'),
    });
    slot.querySelector('textarea').required = false; // the note is optional
  }

  function noteForm() {
    const id = uid('note');
    const text = h('textarea', { id, rows: 2, maxlength: 4000, required: true, 'data-testid': 'pa-note-text' });
    return h('form', {
      class: 'note-form',
      onsubmit: (event) => {
        event.preventDefault();
        if (!text.value.trim()) { text.focus(); return; }
        panel.run(event.submitter, () => post('notes', { text: text.value.trim() }), ctx.t('pa.done.note'));
      },
    },
    h('label', { for: id }, ctx.t('pa.note.label')), text,
    h('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'pa-note-submit' }, ctx.t('pa.note.submit')));
  }
}
