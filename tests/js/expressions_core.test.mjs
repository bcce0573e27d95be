// A page without expression_functions.js knows only the core functions (node runs each file alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { evaluate, parse } from '../../survey_app/static/js/expressions.js';

test('a plain page knows the core functions and dates, not the rest', () => {
  assert.equal(evaluate("if(. <= today(), round(2.5), 0)", {}, { current: '2026-01-01', today: '2026-11-22' }), 3);
  assert.equal(evaluate('today() - ${d}', { d: '2026-11-01' }, { today: '2026-11-22' }), 21);
  assert.throws(() => parse('sum(${a})'), /unknown function 'sum'/);
});

test('loading the other functions adds them to the page', async () => {
  await import('../../survey_app/static/js/expression_functions.js');
  assert.equal(evaluate("format-date('2026-03-05', '%e %b')", {}), '5 Mar');
  assert.throws(() => parse("regex(., '(?=a)')"), /regex pattern refused/);
});
