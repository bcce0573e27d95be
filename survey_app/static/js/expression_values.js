// Values of the expression language: how answers become numbers, text and yes/no, and compare,
// and how a date becomes its days since 1970-01-01 (every page compares dates). Mirrors
// survey_app/engine/expression_values.py and the reading half of expression_dates.py (integers
// first, one division, so both engines give the same floats); the rules are in
// engine/expressions.py. Writing and formatting dates is in expression_calendar.js.

// ------------------------------------------------------------------ dates

const DATE_RE = /^(-?[0-9]{4,6})-([0-9]{1,2})-([0-9]{1,2})$/;
const DATETIME_RE = /^(-?[0-9]{4,6})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;
export const DAY_MS = 86400000;

export function daysFromCivil(year, month, day) {
  const y = year - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function valid(year, month, day) {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function offsetMinutes(zone) {
  if (!zone || zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
  return zone[0] === '-' ? -minutes : minutes;
}

/** [year, month, day, hour, minute, second, millisecond, offset in minutes], or null. */
export function parse(text) {
  const trimmed = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  const date = DATE_RE.exec(trimmed);
  const match = date || DATETIME_RE.exec(trimmed);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!valid(year, month, day)) return null;
  if (date) return [year, month, day, 0, 0, 0, 0, 0];
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] || 0)];
  const millisecond = Number(`${match[7] || ''}000`.slice(0, 3));
  if (hour > 23 || minute > 59 || second > 59) return null;
  return [year, month, day, hour, minute, second, millisecond, offsetMinutes(match[8])];
}

/** Days since 1970-01-01 of a date or date-time text (null when it is neither). */
export function toDays(text) {
  const parts = parse(text);
  if (parts === null) return null;
  const [year, month, day, hour, minute, second, millisecond, offset] = parts;
  const days = daysFromCivil(year, month, day);
  if (!(hour || minute || second || millisecond || offset)) return days;
  const ms = ((hour * 60 + minute - offset) * 60 + second) * 1000 + millisecond;
  return days + ms / DAY_MS;
}

// ----------------------------------------------------------------- values

const NUMBER_RE = /^[ \t\r\n]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*$/;
const SPLIT_RE = /[ \t\r\n]+/;

/**
 * Several values of one reference: a question inside a repeat read from outside it, or the
 * instances. sum(), count()... take all of them; elsewhere the first one stands for them.
 */
export class Nodeset {
  constructor(values) { this.values = Object.freeze(Array.from(values)); }

  get length() { return this.values.length; }
}

const isPlain = (v) => v === null || ['string', 'boolean', 'number'].includes(typeof v);

/** Reduce any input to the value types the semantics are defined on. */
export function normalize(v) {
  if (v === undefined) return null;
  if (isPlain(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Nodeset) return new Nodeset(v.values.map((i) => (isPlain(i) ? i : normalize(i))));
  if (Array.isArray(v)) {
    return v.map((i) => (typeof i === 'string' ? i : toStr(['boolean', 'number', 'bigint'].includes(typeof i) ? normalize(i) : null)));
  }
  return null;
}

/** The value a nodeset stands for where one value is needed: its first item. */
export function first(v) {
  if (v instanceof Nodeset) return v.length ? v.values[0] : '';
  return v;
}

export function truthy(v) {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return !Number.isNaN(v) && v !== 0;
  return (typeof v === 'string' || Array.isArray(v) || v instanceof Nodeset) && v.length > 0;
}

export function toNum(v) {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (NUMBER_RE.test(v)) return Number(v.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
    const days = toDays(v);
    return days === null ? NaN : days;
  }
  if (v instanceof Nodeset) return v.length ? toNum(v.values[0]) : NaN;
  return NaN;
}

export function toStr(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (v instanceof Nodeset) return v.length ? toStr(v.values[0]) : '';
  return Array.isArray(v) ? v.join(' ') : '';
}

export const isEmpty = (v) => v === null || v === undefined
  || ((typeof v === 'string' || Array.isArray(v)) && v.length === 0);

export function items(v) {
  const value = first(v);
  const source = Array.isArray(value) ? value : toStr(value).split(SPLIT_RE);
  return source.filter((i) => i);
}

export function equal(x, y) {
  let a = first(x);
  let b = first(y);
  a = Array.isArray(a) ? toStr(a) : a;
  b = Array.isArray(b) ? toStr(b) : b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return truthy(a) === truthy(b);
  if (typeof a === 'number' || typeof b === 'number') {
    const [m, n] = [toNum(a), toNum(b)];
    return m === n || Math.abs(m - n) < 1e-12; // ODK's tolerance: 6.1 - 7.8 = -1.7
  }
  return toStr(a) === toStr(b);
}

/** Division as in ODK (Java doubles): x div 0 is an infinity, 0 div 0 is NaN. */
export const div = (x, y) => x / y;

export const mod = (x, y) => (y === 0 || !Number.isFinite(x) ? NaN : x % y);

export const trunc = (x) => (Number.isFinite(x) ? Math.trunc(x) : x);

/** Round as ODK does: on the number's shortest decimal form, halves toward +infinity. */
export function roundOdk(value, places = 0) {
  const x = toNum(value);
  const n = trunc(toNum(places));
  if (Number.isNaN(n) || Math.abs(n) > 30) return NaN;
  if (!Number.isFinite(x)) return x;
  const [mantissa, exponent] = x.toExponential().split('e');
  const scaled = Number(`${mantissa}e${Number(exponent) + n}`);
  if (Math.abs(scaled) >= 2 ** 52) return x; // no fraction left at this scale
  const [digits, power] = Math.round(scaled).toExponential().split('e');
  const result = Number(`${digits}e${Number(power) - n}`);
  return result === 0 && x < 0 ? -0 : result;
}
