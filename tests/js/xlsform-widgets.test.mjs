// XLSForm widgets on the phone: answers read as the server reads them (tests/data/widget_vectors.json),
// metadata and the device id, locations as ODK writes them, answers shown inside labels.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { addReader, coerce } from '../../survey_app/static/js/validation.js';
import {
  addReaders, answerValues, deviceId, fillReferences, formatPosition, locate, metadataValue,
} from '../../survey_app/static/js/xlsform-widgets.js';

addReaders(addReader);

const vectors = JSON.parse(readFileSync(new URL('../data/widget_vectors.json', import.meta.url)));

for (const vector of vectors) {
  test(`widget ${vector.question.type}: ${JSON.stringify(vector.raw)}`, () => {
    const { type, parameters = {}, options = [] } = vector.question;
    const question = { type, options, ...parameters };
    if ('error' in vector) assert.throws(() => coerce(question, vector.raw), (code) => code === vector.error);
    else assert.deepEqual(coerce(question, vector.raw), vector.value);
  });
}

test('the device id is made once and kept', () => {
  const kept = new Map();
  const storage = { getItem: (k) => kept.get(k) ?? null, setItem: (k, v) => kept.set(k, v) };
  let made = 0;
  const first = deviceId(storage, () => `id${(made += 1)}`);
  assert.equal(first, 'web:id1');
  assert.equal(deviceId(storage, () => 'other'), 'web:id1');
});

test('metadata takes the phone clock and id; others are left alone', () => {
  const context = { now: '2026-11-20T08:00:00.000Z', today: '2026-11-20', device: 'web:x' };
  assert.equal(metadataValue('start', context), context.now);
  assert.equal(metadataValue('end', context), context.now);
  assert.equal(metadataValue('today', context), '2026-11-20');
  assert.equal(metadataValue('deviceid', context), 'web:x');
  assert.equal(metadataValue('username', context), null);
});

test('a position is written as ODK writes a geopoint, and the server reads it back', () => {
  const text = formatPosition({ latitude: 35.68923456, longitude: 51.3890123, altitude: null, accuracy: 12.34 });
  assert.equal(text, '35.689235 51.389012 0 12.3');
  assert.equal(coerce({ type: 'geopoint' }, text), text);
});

test('locating without a Geolocation API fails softly', async () => {
  await assert.rejects(locate(undefined));
  const geolocation = { getCurrentPosition: (ok) => ok({ coords: { latitude: 1, longitude: 2 } }) };
  assert.deepEqual(await locate(geolocation), { latitude: 1, longitude: 2 });
});

test('answers fill the spans of labels that name them', () => {
  const spans = [{ dataset: { ref: 'name' }, textContent: '' }, { dataset: { ref: 'topics' }, textContent: 'x' }];
  const root = { querySelectorAll: () => spans };
  const formData = { entries: () => [['name', 'Zahra'], ['topics', 'law'], ['topics', 'work']] };
  fillReferences(root, answerValues(formData));
  assert.deepEqual(spans.map((s) => s.textContent), ['Zahra', 'law work']);
  fillReferences(root, {});
  assert.deepEqual(spans.map((s) => s.textContent), ['', '']);
});
