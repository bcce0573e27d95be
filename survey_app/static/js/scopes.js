// What ${name} means inside an instance of a repeat (as survey_app/engine/scopes.py): the instance's
// own answers first, then the enclosing scope's. A Map, so the expression evaluator reads it with get();
// `position` is the instance's 1-based index, for position(..). Several values (a repeat's question
// read from outside it) are the expression language's Nodeset where it has one, else an array.

import * as language from './expressions.js';

/** Several values of one reference, as the expression functions (sum, count...) take them. */
export const several = (values) => (language.Nodeset ? new language.Nodeset(values) : Array.from(values));

export class Scope extends Map {
  constructor(values, parent = null, position = null) {
    super();
    this.values = values;
    this.parent = parent;
    this.position = position;
  }

  get(name) {
    if (Object.hasOwn(this.values, name)) return this.values[name];
    return this.parent ? this.parent.get(name) : undefined;
  }

  has(name) {
    return Object.hasOwn(this.values, name) || Boolean(this.parent?.has(name));
  }
}

/** The top-level scope of a plain answers object. */
export function topScope(answers) {
  return new Scope(answers || {});
}

/** The answers around an element of the page: typed ones of the top level, as typed in the instances it sits in. */
export function scopeAround(el, answers) {
  const instances = [];
  for (let up = el.closest('[data-instance]'); up; up = up.parentElement.closest('[data-instance]')) instances.unshift(up);
  let scope = new Scope(answers);
  for (const instance of instances) {
    const values = {};
    for (const input of instance.querySelectorAll('input, textarea, select')) {
      if (input.closest('[data-instance]') !== instance || !input.name.startsWith(instance.dataset.prefix)) continue;
      const name = input.name.slice(instance.dataset.prefix.length);
      if ((input.type === 'radio' || input.type === 'checkbox') && !input.checked) continue;
      values[name] = input.type === 'checkbox' ? [...(values[name] || []), input.value] : input.value;
    }
    scope = new Scope(values, scope, Number(instance.dataset.instance) + 1);
  }
  return scope;
}
