// The functions of the expression language: one table of name, arity and implementation, the
// same names as survey_app/engine/expression_functions.py (tests/data/expression_vectors.json
// lists them and holds both to the same answers). An implementation takes the evaluation
// context ({today, now, position, values, attachments, choiceLabels}) and the argument values.
// The functions the shipped questionnaires use (in expressions.js) always load; this module
// adds the others when it is imported, and a page loads it only for a questionnaire that uses
// one of them (engine/expressions.py: browser_modules), keeping plain forms light.

import * as calendar from './expression_calendar.js';
import './expression_instances.js';
import { check, matches } from './expression_regex.js';
import {
  CORE_FUNCTIONS, addFunctions, chars, row, trimAscii, valuesOf,
} from './expressions.js';
import {
  DAY_MS, Nodeset, daysFromCivil, first, isEmpty, items, parse as parseDate, toNum, toStr, trunc, truthy,
} from './expression_values.js';

const TOKEN_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function spread(values) {
  const out = [];
  for (const value of values) out.push(...(value instanceof Nodeset ? value.values : [value]));
  return out.map(toNum);
}

function sum(ctx, values) {
  if (!(values instanceof Nodeset)) return toNum(values);
  let total = 0;
  for (const n of spread([values])) if (!Number.isNaN(n)) total += n; // in order, as the server
  return total;
}

const extreme = (pick) => (ctx, ...values) => {
  const numbers = spread(values).filter((n) => !Number.isNaN(n)); // ODK leaves out what is not a number
  return numbers.length ? numbers.reduce((a, b) => pick(a, b)) : NaN;
};

const count = (ctx, values) => (values instanceof Nodeset ? values.length : 1);

function countNonEmpty(ctx, values) {
  const list = values instanceof Nodeset ? values.values : [values];
  return list.filter((value) => toStr(value) !== '').length;
}

const join = (ctx, separator, ...values) => valuesOf(values).map(toStr).join(toStr(separator));

function index(value, n) {
  const x = trunc(toNum(value));
  if (Number.isNaN(x)) return 0;
  const bounded = Math.trunc(Math.max(-n - 1, Math.min(n + 1, x)));
  return Math.min(Math.max(0, bounded < 0 ? n + bounded : bounded), n);
}

/** ODK's substr: 0-based start, end not included, negative counts from the end. */
function substr(ctx, text, start, end) {
  const list = chars(toStr(text));
  const n = list.length;
  const low = index(start, n);
  const high = end === undefined ? n : index(end, n);
  return low <= high ? list.slice(low, high).join('') : '';
}

function before(ctx, text, part) {
  const [t, p] = [toStr(text), toStr(part)];
  const at = t.indexOf(p);
  return at >= 0 ? t.slice(0, at) : '';
}

function after(ctx, text, part) {
  const [t, p] = [toStr(text), toStr(part)];
  const at = t.indexOf(p);
  return at >= 0 ? t.slice(at + p.length) : '';
}

function translate(ctx, text, source, target) {
  const from = chars(toStr(source));
  const to = chars(toStr(target));
  const table = new Map();
  from.forEach((c, i) => { if (!table.has(c)) table.set(c, i < to.length ? to[i] : ''); });
  return chars(toStr(text)).map((c) => (table.has(c) ? table.get(c) : c)).join('');
}

function selectedAt(ctx, value, position) {
  const chosen = items(value);
  const i = trunc(toNum(position));
  return !Number.isNaN(i) && i >= 0 && i < chosen.length ? chosen[i] : '';
}

function booleanFromString(ctx, value) {
  const text = toStr(value);
  return text.toLowerCase() === 'true' || text === '1';
}

/** A date: the day a date-time text is written on, or the day a number of days falls on. */
function date(ctx, x) {
  const value = first(x);
  if (value === null || value === '') return '';
  const parts = typeof value === 'string' ? parseDate(value) : null;
  if (parts) return calendar.dateText(daysFromCivil(parts[0], parts[1], parts[2]));
  return calendar.dateText(toNum(value));
}

function dateTime(ctx, x) {
  const value = first(x);
  if (value === null || value === '') return '';
  if (typeof value === 'string' && parseDate(value)) return trimAscii(value);
  return calendar.datetimeText(toNum(value));
}

function decimalDateTime(ctx, x) {
  const value = first(x);
  return value === null || value === '' ? '' : toNum(value);
}

function decimalTime(ctx, x) {
  const value = first(x);
  if (value === null || value === '') return '';
  const parts = typeof value === 'string' ? parseDate(value) : null;
  if (parts) {
    const [hour, minute, second, millisecond] = parts.slice(3, 7);
    return (((hour * 60 + minute) * 60 + second) * 1000 + millisecond) / DAY_MS;
  }
  const n = toNum(value);
  return Number.isFinite(n) ? n - Math.floor(n) : NaN;
}

function formatDate(ctx, x, pattern) {
  const value = first(x);
  const source = typeof value === 'string' && parseDate(value) ? value : toNum(value);
  const fields = calendar.fieldsOf(source);
  return fields === null ? '' : calendar.formatFields(fields, toStr(pattern));
}

function randomBytes(n) {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes); // works without HTTPS, unlike crypto.randomUUID
  return bytes;
}

function uuid(ctx, length) {
  if (length === undefined) {
    const b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  const n = trunc(toNum(length));
  const size = !Number.isNaN(n) && n > 0 && n <= 1000 ? n : 0;
  return Array.from(randomBytes(size), (x) => TOKEN_CHARACTERS[x % 62]).join('');
}

/** The `column` of the first row of an attached CSV whose `keyColumn` is `key`; '' when none. */
function pulldata(ctx, file, column, keyColumn, key) {
  const attachments = ctx.attachments || {};
  const name = toStr(file);
  const rows = Object.hasOwn(attachments, name) ? attachments[name] : [];
  const [col, keyCol, wanted] = [toStr(column), toStr(keyColumn), toStr(key)];
  const row = (rows || []).find((r) => Object.hasOwn(r, keyCol) && r[keyCol] === wanted);
  return row && Object.hasOwn(row, col) ? toStr(row[col]) : '';
}

function choiceName(ctx, value, question) {
  let name = trimAscii(toStr(question));
  if (name.startsWith('${') && name.endsWith('}')) name = name.slice(2, -1);
  const labels = ctx.choiceLabels || {};
  const options = Object.hasOwn(labels, name) ? labels[name] : {};
  const option = toStr(value);
  return Object.hasOwn(options, option) ? options[option] : '';
}

/** indexed-repeat(${q}, ${repeat}, n): q's value in the repeat's n-th instance (1-based). */
function indexedRepeat(ctx, name, values, group, position) {
  let every = ctx.values ? ctx.values(name) : values;
  every = every instanceof Nodeset ? every : new Nodeset([every]);
  let i = trunc(toNum(position));
  if (Number.isNaN(i) || i < 1) i = 1; // ODK reads a missing or bad index as the first instance
  return i <= every.length ? every.values[i - 1] : '';
}

/** A number as Java's intValue() reads it: truncated, NaN as 0, held to 32 bits. */
function intValue(value) {
  const x = trunc(toNum(value));
  return Number.isNaN(x) ? 0 : Math.trunc(Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, x)));
}

/** True when the number of yes among the values is between low and high (a negative bound: none). */
function checklist(ctx, low, high, ...values) {
  const count = valuesOf(values).filter((flag) => truthy(flag)).length;
  const [min, max] = [intValue(low), intValue(high)];
  return (min < 0 || count >= min) && (max < 0 || count <= max);
}

/** True when the weights of the values that are yes add up to between low and high. */
function weightedChecklist(ctx, low, high, ...pairs) {
  let flags = pairs.filter((_, i) => i % 2 === 0);
  let weights = pairs.filter((_, i) => i % 2 === 1);
  if (pairs.length === 2 && pairs[0] instanceof Nodeset && pairs[1] instanceof Nodeset) {
    [flags, weights] = [pairs[0].values, pairs[1].values];
  }
  let total = 0;
  for (let i = 0; i < Math.min(flags.length, weights.length); i += 1) {
    if (truthy(flags[i])) total += toNum(weights[i]);
  }
  return toNum(low) <= total && total <= toNum(high);
}

const math = (f) => (ctx, ...values) => f(...values.map(toNum));

export const FUNCTIONS = Object.freeze({
  ...CORE_FUNCTIONS,
  // yes/no
  'boolean': row(1, 1, (ctx, x) => truthy(x), 'boolean'),
  'boolean-from-string': row(1, 1, booleanFromString, 'boolean'),
  'once': row(1, 1, (ctx, current, value) => (isEmpty(current) ? value : current)),
  // choices
  'selected-at': row(2, 2, selectedAt),
  'jr:choice-name': row(2, 2, choiceName),
  'checklist': row(2, Infinity, checklist, 'boolean'),
  'weighted-checklist': row(2, Infinity, weightedChecklist, 'boolean'),
  // numbers
  'floor': row(1, 1, math(Math.floor), 'number'),
  'ceiling': row(1, 1, math(Math.ceil), 'number'),
  'abs': row(1, 1, math(Math.abs), 'number'),
  'pow': row(2, 2, math(Math.pow), 'number'),
  'exp': row(1, 1, math(Math.exp), 'number'),
  'exp10': row(1, 1, math((x) => Math.pow(10, x)), 'number'),
  'log': row(1, 1, math(Math.log), 'number'),
  'log10': row(1, 1, math(Math.log10), 'number'),
  'sqrt': row(1, 1, math(Math.sqrt), 'number'),
  'sin': row(1, 1, math(Math.sin), 'number'),
  'cos': row(1, 1, math(Math.cos), 'number'),
  'tan': row(1, 1, math(Math.tan), 'number'),
  'asin': row(1, 1, math(Math.asin), 'number'),
  'acos': row(1, 1, math(Math.acos), 'number'),
  'atan': row(1, 1, math(Math.atan), 'number'),
  'atan2': row(2, 2, math(Math.atan2), 'number'),
  'pi': row(0, 0, () => Math.PI, 'number'),
  'random': row(0, 0, () => Math.random(), 'number'),
  // text
  'join': row(1, Infinity, join),
  'normalize-space': row(0, 1, (ctx, x) => toStr(x).replace(/[ \t\r\n]+/g, ' ').replace(/^ +| +$/g, '')),
  'contains': row(2, 2, (ctx, x, part) => toStr(x).includes(toStr(part)), 'boolean'),
  'starts-with': row(2, 2, (ctx, x, part) => toStr(x).startsWith(toStr(part)), 'boolean'),
  'ends-with': row(2, 2, (ctx, x, part) => toStr(x).endsWith(toStr(part)), 'boolean'),
  'substr': row(2, 3, substr),
  'substring-before': row(2, 2, before),
  'substring-after': row(2, 2, after),
  'translate': row(3, 3, translate),
  'regex': row(2, 2, (ctx, x, pattern) => matches(toStr(x), toStr(pattern)), 'boolean'),
  'uuid': row(0, 1, uuid),
  'pulldata': row(4, 4, pulldata),
  // dates
  'now': row(0, 0, (ctx) => ctx.now || calendar.localNow()),
  'date': row(1, 1, date),
  'date-time': row(1, 1, dateTime),
  'decimal-date-time': row(1, 1, decimalDateTime),
  'decimal-time': row(1, 1, decimalTime),
  'format-date': row(2, 2, formatDate),
  'format-date-time': row(2, 2, formatDate),
  // several values (repeats)
  'sum': row(1, 1, sum, 'number'),
  'count': row(1, 1, count, 'number'),
  'count-non-empty': row(1, 1, countNonEmpty, 'number'),
  'min': row(1, Infinity, extreme(Math.min), 'number'),
  'max': row(1, Infinity, extreme(Math.max), 'number'),
  'position': row(0, 1, (ctx) => ctx.position ?? 1, 'number'),
  'indexed-repeat': row(3, 3, indexedRepeat, '', true),
});

addFunctions(FUNCTIONS, { checkPattern: check });
