// What the page hands every evaluation: its questionnaire's attached rows and option labels, and the
// calculations' last values for once(), as engine/compiled_form.py's Context and sent values do.
import assert from 'node:assert/strict';
import test from 'node:test';

import '../../survey_app/static/js/expression_functions.js';
import { evaluate, useTables } from '../../survey_app/static/js/expressions.js';
import { checkRepeat } from '../../survey_app/static/js/repeats.js';
import { Scope } from '../../survey_app/static/js/scopes.js';
import { validate } from '../../survey_app/static/js/validation.js';

const item = (path, type, extra = {}) => ({ path, name: path.split('/').pop(), type, parents: [], options: [], ...extra });

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

test('once() in an instance keeps the value of the previous check, per instance', () => {
  const repeat = (name) => ({ instances: [0, 1].map((i) => ({ items: [
    item(`${name}/${i}/who`, 'text'),
    item(`${name}/${i}/first`, 'calculate', { calculation: 'once(${who})' }),
  ] })) });
  const first = checkRepeat(repeat('once_r'), { 'once_r/0/who': 'Ali', 'once_r/1/who': '' }, new Scope({}), '2026-11-22');
  assert.deepEqual(first.rows.map((row) => row.first), ['Ali', undefined]);
  const again = checkRepeat(repeat('once_r'), { 'once_r/0/who': 'Reza', 'once_r/1/who': 'Sara' }, new Scope({}), '2026-11-22');
  assert.deepEqual(again.rows.map((row) => row.first), ['Ali', 'Sara']);
});
