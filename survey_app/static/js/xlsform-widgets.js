// What imported XLSForm questions need beyond a plain form: metadata filled by the phone,
// a location from the Geolocation API, answers shown inside labels. Pure: the page entry
// (xlsform-page.js) hands in the document's pieces, so node --test can use fakes.

import { shown } from './odk-markdown.js';

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
