// What the page hands every evaluation: its questionnaire's attached rows and option labels, and the
// calculations' last values for once(), as engine/compiled_form.py's Context and sent values do.
import assert from 'node:assert/strict';
import test from 'node:test';

import '../../survey_app/static/js/expression_functions.js';
import { evaluate, useTables } from '../../survey_app/static/js/expressions.js';
import { validate } from '../../survey_app/static/js/validation.js';

const questions = [
  { name: 'code', type: 'text', parents: [] },
  { name: 'region', type: 'calculate', parents: [], calculation: "pulldata('regions.csv', 'name', 'code', ${code})" },
  { name: 'label', type: 'calculate', parents: [], calculation: "jr:choice-name(${code}, '${code}')" },
  { name: 'first', type: 'calculate', parents: [], calculation: 'once(${code})' },
];

test('the tables given by the page are read by pulldata() and jr:choice-name()', () => {
  useTables(null);
  assert.equal(evaluate("pulldata('regions.csv', 'name', 'code', 'K2')", {}), '');
  useTables({ attachments: { 'regions.csv': [{ code: 'K2', name: 'Kabul' }] }, choiceLabels: { code: { K2: 'Kabul 2' } } });
  const { answers } = validate(questions, { code: 'K2' }, '2026-12-07');
  assert.deepEqual(answers, { code: 'K2', region: 'Kabul', label: 'Kabul 2', first: 'K2' });
  assert.equal(evaluate("pulldata('regions.csv', 'name', 'code', 'K2')", {}, { attachments: {} }), '');
  useTables(null);
});

test('once() keeps the value of the previous check, as the server keeps the value sent', () => {
  const first = validate(questions, { code: 'H1' }, '2026-12-07');
  const second = validate(questions, { code: 'K2' }, '2026-12-07', null, first.answers);
  assert.equal(second.answers.first, 'H1');
  assert.equal(validate(questions, { code: 'K2' }, '2026-12-07').answers.first, 'K2');
});
