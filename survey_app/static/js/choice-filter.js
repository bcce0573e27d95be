// Cascading selects on the phone: each option of a filtered question is offered only when the
// question's filter is true for that option's columns and the answers so far. The server writes the
// filter with ${__choice.column} references (engine/choice_filter.py) and each option's columns in
// data-choice; the same vectors (tests/data/choice_filter_vectors.json) hold both engines to it.

import { evaluateBool } from './expressions.js';
import { Scope, scopeAround } from './scopes.js';

/** Names of the options a filter allows: options is [{name, columns}], scope a Map of the answers. */
export function allowedNames(filter, options, scope, today) {
  return options.filter((option) => evaluateBool(filter, new Scope(option.columns, scope), { today }))
    .map((option) => option.name);
}

/** The element holding an option's value: a radio or checkbox in its label, or a drop-down's <option> itself. */
const control = (element) => element.querySelector('input') || element;

export function extension() {
  let form = null;
  return {
    attach(page) { form = page; },
    check(result, state) {
      let changed = false;
      for (const question of form.querySelectorAll('[data-choice-filter]')) {
        const labels = Array.from(question.querySelectorAll('[data-choice]'));
        const options = labels.map((label) => ({ name: control(label).value, columns: JSON.parse(label.dataset.choice) }));
        const allowed = new Set(allowedNames(question.dataset.choiceFilter, options, scopeAround(question, result.answers), state.today));
        for (const label of labels) {
          const input = control(label);
          label.hidden = !allowed.has(input.value);
          if (input === label) label.disabled = label.hidden;  // a drop-down's option: not even picked by keyboard
          if (label.hidden && (input.checked || input.selected)) {
            input.checked = false;
            input.selected = false;
            changed = true;
          }
        }
      }
      // An answer the new filter does not allow is taken away: check the page again without it.
      if (changed) queueMicrotask(() => form.dispatchEvent(new Event('change')));
    },
  };
}
