/**
 * The filter form: incident types (checkboxes in a <details>, kinder to a phone than a multi-select),
 * district, date range. Every change applies at once (no "apply" button to miss); the form's reset clears all.
 */
import { h, mount } from '/app/js/dom.js';
import { EMPTY_FILTERS } from './query.js';

/**
 * `onChange(filters)` is called with the new filters after every valid change.
 * Returns {render(ctx, filters), read()}.
 */
export function createFilters(form, { onChange }) {
  const options = form.querySelector('#category-options');
  const summary = form.querySelector('#category-summary');
  const district = form.querySelector('#district');
  const from = form.querySelector('#date-from');
  const to = form.querySelector('#date-to');
  const error = form.querySelector('#filter-error');
  let t = (key) => key;

  function read() {
    return {
      categories: [...options.querySelectorAll('input:checked')].map((box) => box.value),
      district: district.value,
      from: from.value,
      to: to.value,
    };
  }

  function summarize() {
    const n = options.querySelectorAll('input:checked').length;
    summary.textContent = n ? t('filters.someCategories', { n }) : t('filters.allCategories');
  }

  /** Fill the controls (again after a language switch: names come from the server in that language). */
  function render({ t: translate, categories, districts }, filters) {
    t = translate;
    const legend = options.querySelector('legend');
    mount(options, legend, categories.map((category) => {
      const id = `category-${category.code}`;
      return h('div', { class: 'check' },
        h('input', {
          type: 'checkbox', id, name: 'category', value: category.code,
          checked: filters.categories.includes(category.code), dataset: { testid: id },
        }),
        h('label', { for: id }, category.name,
          category.sensitive ? h('span', { class: 'meta' }, ` ${t('filters.sensitive')}`) : null));
    }));
    mount(district,
      h('option', { value: '' }, t('filters.allDistricts')),
      districts.map((d) => h('option', { value: d.key, selected: d.key === filters.district }, d.name || d.key)));
    district.value = filters.district; // a district not (yet) in the list falls back to "all"
    from.value = filters.from;
    to.value = filters.to;
    summarize();
  }

  function changed() {
    summarize();
    const filters = read();
    const bad = filters.from && filters.to && filters.from > filters.to;
    error.textContent = bad ? t('filters.badRange') : '';
    to.setAttribute('aria-invalid', String(Boolean(bad)));
    if (!bad) onChange(filters);
  }

  form.addEventListener('change', changed);
  form.addEventListener('submit', (event) => { event.preventDefault(); changed(); });
  form.addEventListener('reset', (event) => {
    event.preventDefault(); // the browser's reset would restore the filters the page was opened with
    for (const box of options.querySelectorAll('input')) box.checked = false;
    district.value = EMPTY_FILTERS.district;
    from.value = '';
    to.value = '';
    changed();
  });

  return { render, read };
}
