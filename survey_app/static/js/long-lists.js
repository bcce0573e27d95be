// Long choice lists on the phone (engine/long_lists.py): the page draws a search box and a few
// options; this module reads the whole list from its own file (kept offline by the service
// worker), and as one types shows the options that match the search and the question's
// choice_filter, as the server does for a page posted without scripts.

import { Scope, scopeAround } from './scopes.js';
import { evaluateBool } from './expressions.js';
import { MAX_QUERY, shownOptions } from './list-search.js';

const LISTS = new Map();  // file address -> {options: [[name, label, columns?]]}
const PERSIAN_DIGITS = new Set(['fa', 'fa_AF', 'ps']);

/** Fetch every long list the page names; a list that cannot be read leaves the page to the server. */
export async function prepare(form, fetchJson) {
  const urls = new Set(Array.from(form.querySelectorAll('[data-choice-list]'), (el) => el.dataset.choiceList));
  await Promise.all(Array.from(urls, async (url) => {
    if (LISTS.has(url)) return;
    const response = await fetchJson(url);
    if (!response.ok) throw new Error(`list ${url}: ${response.status}`);
    LISTS.set(url, await response.json());
  }));
  // Before the page describes its questions: every name of the list is an answer it accepts.
  for (const el of form.querySelectorAll('[data-choice-list]')) el.choiceNames = namesOf(el);
}

const namesOf = (el) => LISTS.get(el.dataset.choiceList).options.map(([name]) => name);

/** The names of a list's options a filter allows with these answers (null: no filter, all of them). */
export function allowedNames(filter, options, scope, today) {
  if (!filter) return null;
  const allowed = new Set();
  for (const [name, , columns] of options) {
    const values = { '__choice.name': name };
    for (const [key, value] of Object.entries(columns || {})) values[`__choice.${key}`] = value;
    if (evaluateBool(filter, new Scope(values, scope), { today })) allowed.add(name);
  }
  return allowed;
}

const ALLOWED = new WeakMap();  // question element -> {key, allowed}: the filter is run again only when answers change

function allowedFor(el, list, answers, today) {
  if (!el.dataset.listFilter) return null;
  const key = JSON.stringify([answers, today]);
  if (ALLOWED.get(el)?.key !== key) {
    ALLOWED.set(el, { key, allowed: allowedNames(el.dataset.listFilter, list.options, scopeAround(el, answers), today) });
  }
  return ALLOWED.get(el).allowed;
}

function localDigits(text, lang) {
  return PERSIAN_DIGITS.has(lang) ? text.replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : text;
}

function statusText(el, query, found, max, filtered, lang) {
  const say = (key, values = {}) => localDigits(
    (el.dataset[key] || '').replace(/\{(\w+)\}/g, (m, name) => String(values[name] ?? m)), lang);
  if (!found && query.trim()) return say('msgNone');
  if (!found && filtered) return say('msgEmpty');
  if (found > max && !query.trim()) return say('msgType', { count: found });
  if (found > max) return say('msgMore', { shown: max, count: found });
  return '';
}

function optionElement(doc, type, name, value, label, checked) {
  const wrap = doc.createElement('label');
  wrap.className = 'option';
  const input = doc.createElement('input');
  Object.assign(input, { type, name, value, checked });
  const text = doc.createElement('span');
  text.textContent = label;
  wrap.append(input, text);
  return wrap;
}

/** Draw the options a question's search and filter pick, keeping what is ticked; true if an answer was taken away. */
function draw(el, answers, today, lang) {
  const list = LISTS.get(el.dataset.choiceList);
  const box = el.querySelector('[data-list-options]');
  const search = el.querySelector('[data-list-search]');
  const name = el.dataset.name;
  const ticked = Array.from(box.querySelectorAll('input:checked'), (input) => input.value);
  const allowed = allowedFor(el, list, answers, today);
  const kept = allowed ? ticked.filter((value) => allowed.has(value)) : ticked;
  const max = Number(el.dataset.shownMax) || 50;
  const query = Array.from(search.value).slice(0, MAX_QUERY).join('');
  const { shown, found } = shownOptions(list.options, allowed, query, kept, max);
  const key = shown.join('\n');
  if (box.dataset.drawn !== key) {
    const labels = new Map(list.options.map(([value, label]) => [value, label]));
    const type = el.dataset.type === 'select_multiple' ? 'checkbox' : 'radio';
    box.replaceChildren(...shown.map((value) => optionElement(el.ownerDocument, type, name, value, labels.get(value),
      kept.includes(value))));
    box.dataset.drawn = key;
  }
  const status = el.querySelector('[data-list-status]');
  const text = statusText(el, query, found, max, Boolean(allowed), lang);
  if (status.textContent !== text) status.textContent = text;
  return kept.length !== ticked.length;
}

export function extension() {
  let form = null;
  const questions = () => Array.from(form.querySelectorAll('[data-choice-list]'))
    .filter((el) => LISTS.has(el.dataset.choiceList));
  return {
    attach(page) {
      form = page;
      for (const el of questions()) el.querySelector('[data-list-search-button]')?.remove();  // never the Enter key's button
      // Each key typed in a search box is an input event, so the page's check draws the options again.
      form.addEventListener('keydown', (event) => {  // Enter in a search box searches, it does not send the form
        if (event.key === 'Enter' && event.target.matches('[data-list-search]')) event.preventDefault();
      });
    },
    check(result, state) {
      let changed = false;
      for (const el of questions()) {
        el.choiceNames ||= namesOf(el);  // a new repeat instance
        changed = draw(el, result.answers, state.today, form.dataset.lang) || changed;
      }
      // An answer the new filter does not allow is taken away: check the page again without it.
      if (changed) queueMicrotask(() => form.dispatchEvent(new Event('change')));
    },
    restore(raw) {
      // A draft's answer may be an option not drawn yet: draw it ticked, main.js then sets the values.
      for (const el of questions()) {
        const value = raw[el.dataset.name];
        if (value === undefined) continue;
        const box = el.querySelector('[data-list-options]');
        const labels = new Map(LISTS.get(el.dataset.choiceList).options.map(([name, label]) => [name, label]));
        const type = el.dataset.type === 'select_multiple' ? 'checkbox' : 'radio';
        box.replaceChildren(...[].concat(value).filter((name) => labels.has(name))
          .map((name) => optionElement(el.ownerDocument, type, el.dataset.name, name, labels.get(name), true)));
        delete box.dataset.drawn;
      }
    },
  };
}
