// Check answers in the browser exactly as survey_app/engine/validation.py does on the
// server (which stays the authority): type the raw values, compute calculations, drop
// hidden questions, then apply required and constraint rules. Pure, no DOM.

import { Nodeset, evaluate, evaluateBool } from './expressions.js';
import { toStr } from './expression_values.js';
import { parseDate, toAsciiDigits } from './locale.js';

export const MAX_TEXT_LENGTH = 5000;
// What no database can store, as engine/validation.py's UNSTORABLE_CHARACTERS: NUL and half a surrogate pair.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INPUT_TYPES = new Set(['text', 'integer', 'decimal', 'select_one', 'select_multiple', 'date', 'rating']);
// XLSForm widget and metadata types: their readers come with xlsform-widgets.js, where needed.
const READERS = new Map();
export const addReader = (type, read) => READERS.set(type, read);
const takesAnswer = (type) => INPUT_TYPES.has(type) || READERS.has(type);

const isEmpty = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

export function toNumber(value, code) {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw code;
    return value;
  }
  const text = toAsciiDigits(value).replace(/,/g, '').trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw code;
  const number = Number(text);
  if (!Number.isFinite(number)) throw code;
  return number;
}

/** Return the typed value of one raw answer, or throw an error code (a string). */
export function coerce(question, raw) {
  const value = typeof raw === 'string' ? raw.trim() : raw;
  if (isEmpty(value)) return null;
  const options = question.options || [];
  switch (question.type) {
    case 'text':
      if (Array.from(String(value)).length > MAX_TEXT_LENGTH) throw 'too_long';
      if (UNSTORABLE.test(String(value))) throw 'characters';
      return String(value);
    case 'integer':
    case 'rating': {
      const number = toNumber(value, 'integer');
      if (!Number.isInteger(number)) throw 'integer';
      if (question.type === 'rating' && (number < 1 || number > (question.max || 5))) throw 'choice';
      return number;
    }
    case 'decimal':
      return toNumber(value, 'decimal');
    case 'date': {
      const iso = parseDate(value);
      if (!iso) throw 'date';
      return iso;
    }
    case 'select_one':
      if (!options.includes(String(value))) throw 'choice';
      return String(value);
    case 'select_multiple': {
      const items = Array.isArray(value) ? value.map(String) : String(value).split(/\s+/);
      if (items.some((item) => !options.includes(item))) throw 'choice';
      const picked = options.filter((name) => items.includes(name));
      return picked.length ? picked : null;
    }
    default:
      return READERS.has(question.type) ? READERS.get(question.type)(value, question, options) : value;
  }
}


/** Answers first, then what the page's other modules know (a repeat's values, seen from outside it). */
function withContext(values, context) {
  if (!context) return values;
  const scope = new Map();
  scope.get = (name) => (Object.hasOwn(values, name) ? values[name] : context[name]);
  return scope;
}

function calculated(question, values, today, current) {
  const result = evaluate(question.calculation, values, { today, current });
  if (typeof result === 'number' && !Number.isFinite(result)) return null;
  return result instanceof Nodeset ? toStr(result) : result;  // a lookup's first value, as the server keeps it
}

/**
 * questions: [{name, type, parents: [group names], relevant, required, constraint,
 *   calculation, options, max}] in document order. raw: {name: string | string[]}.
 * context: values of names that are no question here (a repeat's questions, as lists), or null.
 * previous: the calculations' values at the last check, which once() keeps (the server reads them as sent).
 * Returns {answers, errors: {name: code}, hidden: Set of names}.
 */
export function validate(questions, raw, today, context = null, previous = {}) {
  const values = {};
  const formatErrors = {};
  for (const q of questions) {
    if (!takesAnswer(q.type)) continue;
    try {
      values[q.name] = coerce(q, raw[q.name]);
    } catch (code) {
      values[q.name] = null;
      formatErrors[q.name] = code;
    }
  }
  const hidden = new Set();
  const errors = {};
  const scope = withContext(values, context);
  for (const q of questions) {
    const parentHidden = (q.parents || []).some((p) => hidden.has(p));
    if (parentHidden || (q.relevant && !evaluateBool(q.relevant, scope, { today }))) {
      hidden.add(q.name);
      delete values[q.name];
      continue;
    }
    if (q.type === 'calculate') values[q.name] = calculated(q, scope, today, previous[q.name]);
    if (!takesAnswer(q.type)) continue;
    if (formatErrors[q.name]) {
      errors[q.name] = formatErrors[q.name];
    } else if (isEmpty(values[q.name])) {
      if (q.required && evaluateBool(q.required, scope, { today })) errors[q.name] = 'required';
    } else if (q.constraint
      && !evaluateBool(q.constraint, scope, { current: values[q.name], today })) {
      errors[q.name] = 'constraint';
    }
  }
  const answers = Object.fromEntries(Object.entries(values).filter(([, v]) => !isEmpty(v)));
  return { answers, errors, hidden };
}
