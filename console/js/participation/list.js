/**
 * The inbox list (soonest deadline first) and the counts per department.
 *
 * A row says code, kind, status, topic, department, when it came in, its deadline and the hours left; a request
 * past its deadline carries a red edge AND the word "Vencida" (never colour alone). The list is one Tab stop
 * (roving tabindex, as the incident queue): ↑/↓ move, Home/End go to the ends, Enter opens the request. Rows
 * are rebuilt on every load (at most a few hundred), keeping the keyboard on the row it was on.
 */
import { h, mount, rovingList } from '../dom.js';

/** "quedan 5 h", "quedan 3 d 4 h", "vencida hace 2 h": the server's `hours_left` in words. */
export function hoursLeftText(t, hoursLeft) {
  const total = Math.round(Math.abs(hoursLeft));
  let span;
  if (Math.abs(hoursLeft) < 1) span = t('pa.time.underHour');
  else if (total < 48) span = t('pa.time.hours', { n: total });
  else if (total % 24 === 0) span = t('pa.time.days', { d: total / 24 });
  else span = t('pa.time.daysHours', { d: Math.floor(total / 24), h: total % 24 });
  return t(hoursLeft < 0 ? 'pa.time.lateBy' : 'pa.time.left', { span });
}

/** The department's name in the console's language (the server sends both). */
export const departmentName = (ctx, department) => (ctx.i18n.lang === 'en' ? department.name_en : department.name_es);

const shortDate = (ctx, value) => ctx.i18n.formatDate(value, { dateStyle: 'short', timeStyle: 'short' });

export function overdueFlag(ctx, testid) {
  return h('span', { class: 'flag flag-overdue', 'data-testid': testid }, '⚠ ', ctx.t('pa.overdue'));
}

export function createInboxList(list, ctx, { onOpen }) {
  let selectedId = null;

  function row(item) {
    const key = String(item.id);
    const button = h('button', {
      type: 'button',
      class: `pa-item${item.overdue ? ' is-overdue' : ''}`,
      'aria-current': key === selectedId ? 'true' : null,
      dataset: {
        testid: 'pa-item', id: key, code: item.code, status: item.status, overdue: String(item.overdue),
        department: item.department.code,
      },
      onclick: () => onOpen(item.id),
    },
    h('span', { class: 'q-line' },
      h('span', { class: 'code pa-code' }, item.code),
      h('span', { class: 'kind-badge' }, ctx.label('pa.kind', item.kind)),
      h('span', { class: `status-badge pa-s-${item.status}` }, ctx.label('pa.status', item.status)),
      item.overdue ? overdueFlag(ctx, 'pa-overdue-flag') : null),
    h('span', { class: 'q-line' },
      h('span', { class: 'pa-topic' }, item.topic.name),
      h('span', { class: 'pa-dept' }, item.department.name)),
    item.summary ? h('span', { class: 'pa-summary' }, item.summary) : null,
    h('span', { class: 'q-line pa-dates' },
      h('span', {}, ctx.t('pa.received'), ' ', shortDate(ctx, item.received_at)),
      h('span', {}, ctx.t('pa.due'), ' ', shortDate(ctx, item.due_at)),
      ['received', 'in_progress'].includes(item.status)
        ? h('span', { class: `pa-left${item.hours_left < 0 ? ' is-late' : ''}`, 'data-testid': 'pa-hours-left' },
          hoursLeftText(ctx.t, item.hours_left))
        : null));
    return h('li', {}, button);
  }

  /** Exactly one row in the Tab order: the focused one, else the open one, else the first. */
  const roving = rovingList(list, '.pa-item');

  function render(items) {
    const focused = list.contains(document.activeElement) ? document.activeElement.closest('.pa-item')?.dataset.id : null;
    mount(list, items.map(row));
    if (focused) list.querySelector(`.pa-item[data-id="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
    roving();
  }

  function select(id) {
    selectedId = id == null ? null : String(id);
    for (const button of list.querySelectorAll('.pa-item')) {
      if (button.dataset.id === selectedId) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
    roving();
  }


  function focusAt(index) {
    const button = list.querySelectorAll('.pa-item')[index];
    if (!button) return;
    roving(button);
    button.focus();
  }

  return {
    render,
    select,
    focusAt,
    /** The first row in the Tab order, for moving the keyboard into the list. */
    get entry() { return list.querySelector('.pa-item[tabindex="0"]'); },
  };
}

/**
 * Open and overdue requests of each department the user works (a table; each name filters the list).
 * `counts` is the inbox's `{open_by_department, overdue_by_department}`.
 */
export function renderCounts(el, departments, counts, ctx, { onFilter }) {
  if (!departments.length) { mount(el); return; }
  mount(el, h('table', { class: 'pa-counts', 'data-testid': 'pa-counts' },
    h('caption', { class: 'visually-hidden' }, ctx.t('pa.counts.caption')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, ctx.t('pa.department')),
      h('th', { scope: 'col', class: 'num' }, ctx.t('pa.counts.open')),
      h('th', { scope: 'col', class: 'num' }, ctx.t('pa.counts.overdue')))),
    h('tbody', {}, departments.map((d) => {
      const open = counts.open_by_department?.[d.code] || 0;
      const overdue = counts.overdue_by_department?.[d.code] || 0;
      return h('tr', { dataset: { testid: 'pa-count', department: d.code, open: String(open), overdue: String(overdue) } },
        h('th', { scope: 'row' }, h('button', {
          type: 'button', class: 'link-button', onclick: () => onFilter(d.code),
          'aria-label': ctx.t('pa.counts.filter', { name: departmentName(ctx, d) }),
        }, departmentName(ctx, d))),
        h('td', { class: 'num' }, String(open)),
        h('td', { class: `num${overdue ? ' is-late' : ''}` }, overdue ? [h('span', { 'aria-hidden': 'true' }, '⚠ '), String(overdue)] : '0'));
    }))));
}
