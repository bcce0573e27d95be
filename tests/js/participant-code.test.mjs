import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { fromAddress, newCode, normalise } from '../../survey_app/static/js/participant-code.js';

const vectors = JSON.parse(readFileSync(new URL('../data/participant_codes.json', import.meta.url)));

test('typed codes are read as the server reads them', () => {
  for (const [typed, code] of vectors.typed) assert.equal(normalise(typed), code, typed);
});

test('new codes are codes, made from the random source given', () => {
  let seed = 7;
  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const made = new Set(Array.from({ length: 200 }, () => newCode(random)));
  for (const code of made) assert.equal(normalise(code), code);
  assert.ok(made.size > 190);
});

test('the phase and the facilitator mode come from the address', () => {
  assert.deepEqual(fromAddress('?w=ABCD2345&phase=pre'), { phase: 'pre', facilitator: false });
  assert.deepEqual(fromAddress('?phase=post&mode=facilitator'), { phase: 'post', facilitator: true });
  assert.deepEqual(fromAddress('?phase=during'), { phase: '', facilitator: false });
});
