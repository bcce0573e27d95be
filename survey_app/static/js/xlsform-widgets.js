// What imported XLSForm questions need beyond a plain form: metadata filled by the phone,
// a location from the Geolocation API, answers shown inside labels. Pure: the page entry
// (xlsform-page.js) hands in the document's pieces, so node --test can use fakes.

import { toAsciiDigits } from './locale.js';
import { shown } from './odk-markdown.js';
import { MAX_TEXT_LENGTH, toNumber } from './validation.js';

const DEVICE_KEY = 'survey-device-id';

/** This phone's stable id (kept in local storage), as ODK's `deviceid` is the device's. */
export function deviceId(storage, makeId) {
  let id = storage.getItem(DEVICE_KEY);
  if (!id) {
    id = `web:${makeId()}`;
    storage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/** The value a metadata row gets on this phone, or null to leave it as the server sent it. */
export function metadataValue(kind, { now, today, device }) {
  if (kind === 'start' || kind === 'end') return now;
  if (kind === 'today') return today;
  if (kind === 'deviceid') return device;
  return null;
}

/** ODK's geopoint text: 'latitude longitude altitude accuracy'. */
export function formatPosition(coords) {
  const round = (n, places) => Number(Number(n).toFixed(places));
  return [round(coords.latitude, 6), round(coords.longitude, 6), round(coords.altitude ?? 0, 1),
    round(coords.accuracy ?? 0, 1)].map(String).join(' ');
}

/** Ask the phone where it is (GPS works offline); resolves with the coords or rejects. */
export function locate(geolocation, { timeout = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!geolocation) {
      reject(new Error('no geolocation'));
      return;
    }
    geolocation.getCurrentPosition((position) => resolve(position.coords), reject,
      { enableHighAccuracy: true, timeout, maximumAge: 60000 });
  });
}

/** Show the current answers where labels say ${name}. */
export function fillReferences(root, values) {
  for (const span of root.querySelectorAll('[data-ref]')) {
    const text = shown(Object.hasOwn(values, span.dataset.ref) ? values[span.dataset.ref] : null);
    if (span.textContent !== text) span.textContent = text;
  }
}

/** The form's answers by name (several values for checkboxes and ranks). */
export function answerValues(formData) {
  const values = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value !== 'string') continue;
    if (Object.hasOwn(values, name)) values[name] = [].concat(values[name], value);
    else values[name] = value;
  }
  return values;
}

const META_TYPES = ['start', 'end', 'today', 'deviceid', 'subscriberid', 'simserial', 'phonenumber', 'username',
  'email', 'audit', 'start-geopoint', 'hidden'];
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$/;
const DATETIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Read 'latitude longitude [altitude [accuracy]]' as engine/validation.py does (numbers kept as typed). */
export function geopoint(value) {
  const parts = toAsciiDigits(String(value)).replace(/,/g, ' ').trim().split(/\s+/);
  const numbers = parts.map((part) => (NUMBER.test(part) ? Number(part) : NaN));
  if (numbers.length < 2 || numbers.length > 4 || numbers.some((n) => !Number.isFinite(n))
    || Math.abs(numbers[0]) > 90 || Math.abs(numbers[1]) > 180) throw 'geopoint';
  return numbers.map(String).join(' ');
}

const clock = (pattern, code) => (value) => {
  const text = toAsciiDigits(String(value)).trim();
  if (!pattern.test(text)) throw code;
  return text;
};

/** A slider's value: a number from start to end, on a step (read from the question or its element). */
function range(value, question) {
  const p = question.el ? question.el.dataset : question;
  const [start, end, step] = [Number(p.start ?? 1), Number(p.end ?? 10), Number(p.step ?? 1)];
  const number = toNumber(value, 'decimal');
  const steps = (number - start) / step;
  if (number < start || number > end || Math.abs(steps - Math.round(steps)) > 1e-9) throw 'range';
  return number;
}

function rank(value, question, options) {
  const items = (Array.isArray(value) ? value.map(String) : String(value).split(/\s+/)).filter(Boolean);
  if (!items.length) return null;
  if ([...items].sort().join(' ') !== [...options].sort().join(' ')) throw 'rank';
  return items;
}

function metadata(value) {
  if (Array.from(String(value)).length > MAX_TEXT_LENGTH) throw 'too_long';
  return String(value);
}

/** Give validation.js the readers of these types, as engine/validation.py reads them (shared vectors). */
export function addReaders(addReader) {
  for (const type of META_TYPES) addReader(type, metadata);
  addReader('geopoint', geopoint);
  addReader('range', range);
  addReader('rank', rank);
  addReader('time', clock(TIME, 'time'));
  addReader('datetime', clock(DATETIME, 'datetime'));
  addReader('acknowledge', (value) => {
    if (!['ok', '1', 'true', 'yes', 'on'].includes(String(value).trim().toLowerCase())) throw 'choice';
    return 'OK';
  });
}
