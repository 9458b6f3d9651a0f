/**
 * Departments, for admins: the answer deadline in hours (for requests filed from now on), active or not,
 * open and overdue counts, and the clerks who work the queue. Each change is one call (PATCH for deadline and
 * active, PUT for the members), recorded in the audit trail by the server.
 *
 * Clerk accounts come from `GET /api/v1/accounts` (admins only); the members' editor lists those with the
 * `clerk` role.
 */
import { h, mount, announce } from '../dom.js';
import { departmentName } from './list.js';

const DEPARTMENTS = '/api/v1/participation/departments';

export function createDepartmentsPanel(root, ctx, { onChanged }) {
  let departments = [];
  let clerks = [];
  let seq = 0;
  const status = h('p', { class: 'pa-message', role: 'status', 'data-testid': 'pa-dep-status' });
  const table = h('div', { class: 'table-scroll' });

  function say(text, kind = '') {
    status.className = `pa-message ${kind}`;
    status.textContent = text;
    if (text) announce(text);
  }

  const errorText = (error) => (error.status === 0 ? ctx.t('error.network') : (error.detail || ctx.t('error.generic')));

  async function load() {
    const mine = ++seq;
    root.dataset.state = 'loading';
    try {
      const [list, accounts] = await Promise.all([ctx.api.get(DEPARTMENTS), ctx.api.get('/api/v1/accounts')]);
      if (mine !== seq) return;
      departments = list;
      clerks = accounts.filter((a) => a.role === 'clerk');
      render();
      root.dataset.state = 'ready';
    } catch (error) {
      if (mine !== seq) return;
      root.dataset.state = 'error';
      say(errorText(error), 'error');
    }
  }

  function render() {
    mount(root,
      h('h2', { id: 'pa-dep-title', tabindex: '-1' }, ctx.t('pa.dep.title')),
      h('p', { class: 'meta' }, ctx.t('pa.dep.intro')),
      status,
      mount(table, h('table', { class: 'data-table pa-dep-table', 'aria-labelledby': 'pa-dep-title' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, ctx.t('pa.department')),
          h('th', { scope: 'col' }, ctx.t('pa.dep.hours')),
          h('th', { scope: 'col' }, ctx.t('pa.dep.active')),
          h('th', { scope: 'col', class: 'num' }, ctx.t('pa.counts.open')),
          h('th', { scope: 'col', class: 'num' }, ctx.t('pa.counts.overdue')),
          h('th', { scope: 'col' }, ctx.t('pa.dep.members')))),
        h('tbody', {}, departments.map(row)))));
  }

  function row(d) {
    const name = departmentName(ctx, d);
    const hoursId = `pa-dep-hours-${d.code}`;
    const hours = h('input', {
      type: 'number', id: hoursId, min: 1, max: 2160, step: 1, value: String(d.answer_within_h), inputmode: 'numeric',
      class: 'pa-hours-input', 'data-testid': 'pa-dep-hours', 'aria-label': ctx.t('pa.dep.hoursOf', { name }),
    });
    const active = h('input', {
      type: 'checkbox', checked: d.active, 'data-testid': 'pa-dep-active', 'aria-label': ctx.t('pa.dep.activeOf', { name }),
      onchange: (event) => patch(d, { active: event.currentTarget.checked }, event.currentTarget),
    });
    return h('tr', { dataset: { testid: 'pa-dep', code: d.code } },
      h('th', { scope: 'row' }, name, h('span', { class: 'meta pa-dep-code' }, ` ${d.code}`)),
      h('td', {}, h('form', {
        class: 'pa-inline',
        onsubmit: (event) => {
          event.preventDefault();
          const value = Number(hours.value);
          if (!Number.isInteger(value) || value < 1 || value > 2160) { say(ctx.t('pa.dep.badHours'), 'error'); hours.focus(); return; }
          patch(d, { answer_within_h: value }, event.submitter);
        },
      }, hours, h('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'pa-dep-save-hours', 'aria-label': ctx.t('pa.dep.saveHoursOf', { name }) },
        ctx.t('pa.dep.save')))),
      h('td', {}, active),
      h('td', { class: 'num', 'data-testid': 'pa-dep-open' }, String(d.open)),
      h('td', { class: `num${d.overdue ? ' is-late' : ''}`, 'data-testid': 'pa-dep-overdue' }, String(d.overdue)),
      h('td', {}, membersCell(d, name)));
  }

  function membersCell(d, name) {
    const names = d.members.map((id) => {
      const clerk = clerks.find((c) => c.id === id);
      return clerk ? (clerk.full_name || clerk.username) : `#${id}`;
    });
    const boxes = clerks.map((c) => {
      const id = `pa-dep-${d.code}-m${c.id}`;
      return h('div', { class: 'check' },
        h('input', { type: 'checkbox', id, value: String(c.id), checked: d.members.includes(c.id), 'data-testid': 'pa-dep-member' }),
        h('label', { for: id }, c.full_name || c.username, c.active === false ? ` (${ctx.t('pa.dep.inactiveAccount')})` : ''));
    });
    return h('details', { class: 'pa-members' },
      h('summary', { 'data-testid': 'pa-dep-members-summary' },
        names.length ? names.join(', ') : ctx.t('pa.dep.noMembers'),
        h('span', { class: 'visually-hidden' }, ` — ${ctx.t('pa.dep.editMembersOf', { name })}`)),
      h('form', {
        onsubmit: (event) => {
          event.preventDefault();
          const ids = [...event.currentTarget.querySelectorAll('input:checked')].map((b) => Number(b.value));
          save(d, () => ctx.api.request('PUT', `${DEPARTMENTS}/${encodeURIComponent(d.code)}/members`, { body: { account_ids: ids } }),
            event.submitter, ctx.t('pa.dep.savedMembers', { name }));
        },
      },
      h('fieldset', {},
        h('legend', {}, ctx.t('pa.dep.membersOf', { name })),
        boxes.length ? boxes : h('p', { class: 'meta' }, ctx.t('pa.dep.noClerks'))),
      h('button', { type: 'submit', class: 'btn btn-small btn-primary', 'data-testid': 'pa-dep-save-members' }, ctx.t('pa.dep.saveMembers'))));
  }

  function patch(d, body, control) {
    const name = departmentName(ctx, d);
    const text = 'answer_within_h' in body
      ? ctx.t('pa.dep.savedHours', { name, n: body.answer_within_h })
      : ctx.t(body.active ? 'pa.dep.savedActive' : 'pa.dep.savedInactive', { name });
    save(d, () => ctx.api.request('PATCH', `${DEPARTMENTS}/${encodeURIComponent(d.code)}`, { body }), control, text);
  }

  /** One change; the row is redrawn from the server's answer and the keyboard goes back where it was. */
  async function save(d, send, control, doneText) {
    say('');
    if (control) control.disabled = true;
    const focusTestid = control?.dataset.testid;
    try {
      const { data } = await send();
      departments = departments.map((x) => (x.code === data.code ? data : x));
      render();
      say(doneText, 'ok');
      const again = table.querySelector(`tr[data-code="${CSS.escape(d.code)}"] [data-testid="${focusTestid}"]`);
      (again?.closest('details') && !again.closest('details').open ? again.closest('details').querySelector('summary') : again)?.focus();
      onChanged();
    } catch (error) {
      say(errorText(error), 'error');
      if (control?.type === 'checkbox') control.checked = !control.checked; // not changed after all
      if (control?.isConnected) control.disabled = false;
    }
  }

  return {
    load,
    relabel() { if (departments.length) render(); },
  };
}
