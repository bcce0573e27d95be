// Repeats on the phone: add and remove instances, keep a repeat_count's number of them, and check
// each instance in its own scope as survey_app/engine/structured_check.py does on the server
// (which stays the authority). Loaded only by questionnaires with repeats.
//
// Fields of an instance are named by path (member/0/phone/1/number); each instance posts a
// marker with its index. A new instance is the repeat's <template> with "__new__" replaced.

import { evaluate, evaluateBool } from './expressions.js';
import { Scope, scopeAround, several } from './scopes.js';
import { coerce } from './validation.js';

const INPUT_TYPES = new Set(['text', 'integer', 'decimal', 'select_one', 'select_multiple', 'date', 'rating']);
const MAX_INSTANCES = 200;
const isEmpty = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
// Each instance's calculations at the last check, by path: once() keeps the first value (the server reads it as sent).
const previous = new Map();

/**
 * Check one repeat's instances. repeat: {instances: [{items}]}; an item: {path, name, type, parents
 * (group names in the instance), relevant, required, constraint, calculation, options, max, repeat
 * (for a nested repeat)}. raw: {path: value}. Returns {rows, errors: {path: code}, hidden: Set of paths}.
 */
export function checkRepeat(repeat, raw, scope, today, every = null) {
  const out = { rows: [], errors: {}, hidden: new Set() };
  repeat.instances.forEach((instance, index) => {
    const inner = new Scope({}, scope, index + 1);
    // What the expression functions read besides the answers: position(..) and indexed-repeat's values.
    const options = { today, position: index + 1, values: every };
    out.rows.push(checkInstance(instance.items, raw, inner, options, every, out));
  });
  return out;
}

function checkInstance(items, raw, scope, options, every, out) {
  const { today } = options;
  const values = scope.values;
  const formatErrors = {};
  for (const item of items) {
    if (!INPUT_TYPES.has(item.type)) continue;
    try {
      values[item.name] = coerce(item, raw[item.path]);
    } catch (code) {
      values[item.name] = null;
      formatErrors[item.path] = code;
    }
  }
  const hiddenHere = new Set();
  for (const item of items) {
    if (item.parents.some((p) => hiddenHere.has(p)) || (item.relevant && !evaluateBool(item.relevant, scope, options))) {
      hiddenHere.add(item.name);
      out.hidden.add(item.path);
      delete values[item.name];
    } else if (item.type === 'calculate' && item.calculation) {
      const result = evaluate(item.calculation, scope, { ...options, current: previous.get(item.path) });
      values[item.name] = typeof result === 'number' && !Number.isFinite(result) ? null : result;
      previous.set(item.path, values[item.name]);
    } else if (item.type === 'repeat') {
      const nested = checkRepeat(item.repeat, raw, scope, today, every);
      values[item.name] = several(nested.rows);
      Object.assign(out.errors, nested.errors);
      nested.hidden.forEach((path) => out.hidden.add(path));
    } else if (formatErrors[item.path]) {
      out.errors[item.path] = formatErrors[item.path];
    } else if (INPUT_TYPES.has(item.type)) {
      if (isEmpty(values[item.name])) {
        if (item.required && evaluateBool(item.required, scope, options)) out.errors[item.path] = 'required';
      } else if (item.constraint && !evaluateBool(item.constraint, scope, { ...options, current: values[item.name] })) {
        out.errors[item.path] = 'constraint';
      }
    }
  }
  return kept(items, values);
}

function kept(items, values) {
  const answers = {};
  const calculations = {};
  for (const item of items) {
    const value = values[item.name];
    if (item.type === 'repeat' && value?.length) answers[item.name] = Array.isArray(value) ? value : Array.from(value.values);
    else if (INPUT_TYPES.has(item.type) && !isEmpty(value)) answers[item.name] = value;
    else if (item.type === 'calculate' && !isEmpty(value)) calculations[item.name] = value;
  }
  return { ...answers, ...calculations };
}

/** Describe a repeat's section from the page, the way checkRepeat reads it. */
export function describeRepeat(section) {
  const instances = Array.from(section.querySelector(':scope > .instances').children)
    .filter((el) => el.matches('[data-instance]'))
    .map((instance) => ({ el: instance, items: describeItems(instance) }));
  return { el: section, instances };
}

function describeItems(instance) {
  return Array.from(instance.querySelectorAll('[data-type]'))
    .filter((el) => el.parentElement.closest('[data-instance]') === instance)
    .map((el) => {
      const parents = [];
      for (let up = el.parentElement.closest('[data-type]'); up && instance.contains(up); up = up.parentElement.closest('[data-type]')) {
        parents.push(up.dataset.name.split('/').pop());
      }
      // A long list's own names; else a drop-down's options too (appearance minimal), as form-page.js reads them.
      const options = el.choiceNames || Array.from(el.querySelectorAll('input[type=radio], input[type=checkbox], option'))
        .filter((input) => input.closest('[data-instance]') === instance).map((input) => input.value)
        .filter(Boolean);
      return {
        el, path: el.dataset.name, name: el.dataset.name.split('/').pop(), type: el.dataset.type, parents,
        relevant: el.dataset.relevant, required: el.dataset.required, constraint: el.dataset.constraint,
        calculation: el.dataset.calculation, options, max: options.length,
        repeat: el.dataset.type === 'repeat' ? describeRepeat(el) : null,
      };
    });
}

/** Each instance's typed answers (not yet checked), adding every question's values to `lists`. */
function typedRows(repeat, raw, lists) {
  return repeat.instances.map((instance) => {
    const row = {};
    for (const item of instance.items) {
      if (item.type === 'repeat') {
        row[item.name] = typedRows(item.repeat, raw, lists);
        continue;
      }
      if (!INPUT_TYPES.has(item.type)) continue;
      try {
        row[item.name] = coerce(item, raw[item.path]);
      } catch {
        row[item.name] = null;
      }
      (lists[item.name] ||= []).push(row[item.name]);
    }
    return row;
  });
}

/** Make the instances a draft had, outer repeats first so their inner repeats exist in turn. */
function rebuild(form, raw) {
  const done = new Set();
  for (;;) {
    // Looked up again each time: the instances just made hold repeats of their own.
    const section = Array.from(form.querySelectorAll('[data-repeat]')).find((el) => !done.has(el));
    if (!section) return;
    done.add(section);
    if (!Object.hasOwn(raw, section.dataset.repeat)) continue;
    const wanted = [].concat(raw[section.dataset.repeat]).map(Number).filter(Number.isInteger);
    instancesOf(section).forEach((el) => el.remove());
    for (const index of wanted.slice(0, MAX_INSTANCES)) addInstance(section, index);
    renumber(section);
  }
}

function readAll(form) {
  const data = new FormData(form);
  const raw = {};
  for (const [name, value] of data) {
    if (Object.hasOwn(raw, name)) raw[name] = [].concat(raw[name], value);
    else raw[name] = value;
  }
  for (const input of form.querySelectorAll('input[type=checkbox]')) {
    raw[input.name] = [].concat(raw[input.name] ?? []);  // a multiple choice is always a list
  }
  return raw;
}

function instancesOf(section) {
  return Array.from(section.querySelector(':scope > .instances').children).filter((el) => el.matches('[data-instance]'));
}

/** Add an instance from the repeat's template, with the next free index (or the one given). */
export function addInstance(section, wanted = null) {
  const existing = instancesOf(section);
  if (existing.length >= MAX_INSTANCES) return null;
  const path = section.dataset.repeat;
  const index = wanted ?? Math.max(-1, ...existing.map((el) => Number(el.dataset.instance))) + 1;
  const template = section.querySelector(':scope > template[data-instance-template]');
  const box = section.ownerDocument.createElement('div');
  box.innerHTML = template.innerHTML.replaceAll(`${path}/__new__/`, `${path}/${index}/`);
  const instance = box.firstElementChild;
  instance.dataset.instance = String(index);
  instance.dataset.added = '';
  instance.querySelector(':scope > [data-instance-marker]').value = String(index);
  section.querySelector(':scope > .instances').append(instance);
  renumber(section);
  return instance;
}

function renumber(section) {
  const lang = section.ownerDocument.documentElement.lang;
  instancesOf(section).forEach((el, number) => {
    const place = el.querySelector(':scope > legend [data-instance-number]');
    if (place) place.textContent = (number + 1).toLocaleString(lang.startsWith('en') ? 'en' : lang);
  });
}

/** Keep as many instances as the repeat_count asks (removing the last ones, adding empty ones). */
function followCount(section, scope, today) {
  const wanted = Number(evaluate(section.dataset.repeatCount, scope, { today }));
  const count = Number.isFinite(wanted) ? Math.max(0, Math.min(MAX_INSTANCES, Math.trunc(wanted))) : 0;
  let instances = instancesOf(section);
  while (instances.length > count) instances.pop().remove();
  while (instancesOf(section).length < count) addInstance(section);
  instances = instancesOf(section);
  return instances;
}

export function extension({ showError }) {
  let form = null;
  let page = null;
  let lists = {};  // every question's values in every instance, from the last context()
  return {
    attach(target, api) {
      form = target;
      page = api;
      form.addEventListener('click', (event) => {
        const add = event.target.closest('[data-repeat-add]');
        const remove = event.target.closest('[data-repeat-remove]');
        if (!add && !remove) return;
        event.preventDefault();
        if (add) addInstance(add.closest('[data-repeat]'))?.querySelector('input:not([type=hidden]), textarea')?.focus();
        if (remove) {
          const section = remove.closest('[data-repeat]');
          remove.closest('[data-instance]').remove();
          renumber(section);
        }
        page.check();
      });
      form.addEventListener('reset', () => form.querySelectorAll('[data-instance][data-added]').forEach((el) => el.remove()));
    },
    snapshot() {
      // Every field of every instance, and each repeat's instance markers.
      const fields = Object.entries(readAll(form)).filter(([name]) => name.includes('/'));
      const markers = Array.from(form.querySelectorAll('[data-repeat]'))
        .map((section) => [section.dataset.repeat, instancesOf(section).map((el) => el.dataset.instance)]);
      return Object.fromEntries([...fields, ...markers]);
    },
    restore(raw) {
      rebuild(form, raw);
      for (const input of form.querySelectorAll('[data-instance] [name]')) {
        const value = raw[input.name];
        if (value === undefined || input.matches('[data-instance-marker]')) continue;
        if (input.type === 'radio' || input.type === 'checkbox') {
          input.checked = [].concat(value).includes(input.value);
        } else {
          input.value = value;
        }
      }
    },
    context() {
      // Seen from outside, a repeat is the list of its instances and its questions the lists of their values.
      const raw = readAll(form);
      const found = {};
      for (const section of form.querySelectorAll('[data-repeat]')) {
        if (section.parentElement.closest('[data-instance]')) continue;
        found[section.dataset.name] = typedRows(describeRepeat(section), raw, found);
      }
      lists = Object.fromEntries(Object.entries(found).map(([name, values]) => [name, several(values)]));
      return lists;
    },
    check(result, state) {
      const raw = readAll(form);
      const top = new Scope(result.answers);
      for (const section of form.querySelectorAll('[data-repeat]')) {
        if (section.parentElement.closest('[data-instance]')) continue;  // checked with its instance
        const name = section.dataset.name;
        if (section.hidden || result.hidden.has(name)) continue;
        if (section.dataset.repeatCount) followCount(section, top, state.today);
        for (const inner of section.querySelectorAll('[data-repeat][data-repeat-count]')) {
          followCount(inner, scopeAround(inner, result.answers), state.today);
        }
        const description = describeRepeat(section);
        const outcome = checkRepeat(description, raw, top, state.today, (name) => lists[name]);
        if (outcome.rows.length) result.answers[name] = outcome.rows;
        showOutcome(description, outcome, result, state);
      }
    },
  };

  function showOutcome(description, outcome, result, state) {
    for (const instance of description.instances) {
      for (const item of instance.items) {
        item.el.hidden = outcome.hidden.has(item.path) || item.type === 'calculate';
        const code = outcome.errors[item.path];
        if (code) {
          result.errors[item.path] = code;
          result.invalid.push(item.el);
        }
        if (item.repeat) showOutcome(item.repeat, { ...outcome, rows: [] }, result, state);
        else if (INPUT_TYPES.has(item.type) && (state.shows(item.el) || !code)) {
          showError(form, { el: item.el, name: item.path }, state.shows(item.el) ? code : null);
        }
      }
    }
  }
}
