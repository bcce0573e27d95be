// Runs the shared expression vectors against the browser engine: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import {
  CORE_FUNCTIONS, ExpressionError, MAX_LENGTH, Nodeset, evaluate, evaluateBool, parse, references,
} from '../../survey_app/static/js/expressions.js';
import { FUNCTIONS } from '../../survey_app/static/js/expression_functions.js';

const VECTORS = JSON.parse(readFileSync(new URL('../data/expression_vectors.json', import.meta.url), 'utf-8'));

const options = (c) => ({
  current: c.current ?? null,
  today: c.today ?? VECTORS.today,
  now: c.now,
  position: c.position,
  attachments: c.attachments,
  choiceLabels: c.choice_labels,
  instances: c.instances,
});

// {"nodeset": [...]} stands for the values of a question inside a repeat
const answersOf = (c) => Object.fromEntries(Object.entries(c.answers ?? {}).map(([name, value]) => [
  name, value && typeof value === 'object' && 'nodeset' in value ? new Nodeset(value.nodeset) : value]));

function assertValue(actual, expected) {
  if (expected && typeof expected === 'object' && 'nodeset' in expected) {  // a lookup's values
    assert.ok(actual instanceof Nodeset, `expected a nodeset, got ${JSON.stringify(actual)}`);
    assert.deepEqual([...actual.values], expected.nodeset);
  } else if (expected === null || typeof expected === 'boolean') {
    assert.equal(actual, expected);
  } else if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `expected a number, got ${JSON.stringify(actual)}`);
    assert.ok(Math.abs(actual - expected) <= 1e-9, `${actual} is not ${expected}`);
  } else {
    assert.deepEqual(actual, expected);
  }
}

function checkCase(c) {
  if (c.error) {
    assert.throws(() => parse(c.expr), (err) => {
      assert.ok(err instanceof ExpressionError, `not an ExpressionError: ${err}`);
      if ('position' in c) assert.equal(err.position, c.position, err.message);
      return true;
    });
    return;
  }
  if ('references' in c) assert.deepEqual(references(c.expr), c.references);
  const answers = answersOf(c);
  if (c.nan) {
    const result = evaluate(c.expr, answers, options(c));
    assert.ok(typeof result === 'number' && Number.isNaN(result), `expected NaN, got ${result}`);
  } else if ('infinite' in c) {
    assert.equal(evaluate(c.expr, answers, options(c)), c.infinite * Infinity);
  } else if ('expected' in c) {
    assertValue(evaluate(c.expr, answers, options(c)), c.expected);
  }
  if ('bool' in c) assert.equal(evaluateBool(c.expr, answers, options(c)), c.bool);
}

test('the function table is the one the vectors list', () => {
  assert.deepEqual(Object.keys(FUNCTIONS).sort(), [...VECTORS.functions].sort());
  assert.deepEqual(Object.keys(CORE_FUNCTIONS).sort(), [...VECTORS.core_functions].sort());
});

test('a long chain is read but an endless one is refused', () => {
  assert.equal(evaluate(Array(1000).fill('${a} = 1').join(' or '), { a: '1' }), true);
  assert.throws(() => parse(`1${' or 1'.repeat(MAX_LENGTH)}`), /longer than/);
});

test('repeat context gives every instance to indexed-repeat', () => {
  const every = { q: new Nodeset(['a', 'b', 'c']) };
  const opts = { position: 2, values: (name) => every[name] };
  assert.equal(evaluate('indexed-repeat(${q}, ${r}, position(..) - 1)', { q: 'b' }, opts), 'a');
});

test('shared vectors', async (t) => {
  assert.ok(VECTORS.cases.length >= 500);
  for (const c of VECTORS.cases) {
    await t.test(c.expr.slice(0, 80), () => checkCase(c));
  }
});

test('parse caches trees and evaluate accepts them', () => {
  const tree = parse('${a} + 1');
  assert.equal(parse('${a} + 1'), tree);
  assert.equal(evaluate(tree, { a: '2' }), 3);
  assert.deepEqual(references(tree), ['a']);
});

test('error message says what and where', () => {
  assert.throws(() => parse('1 + 2)'), /unexpected '\)' at character 6/);
});

test('evaluation never throws on odd values', () => {
  const weird = [{ k: 1 }, [1, null, [2], { x: 1 }, true], Infinity, NaN, 10n ** 400n,
    new Date(), () => 1, Symbol('s'), undefined, 'x'.repeat(10000)];
  const exprs = ['${a} + 1', '${a} mod 3', '${a} = 1', '${a} < today()', 'selected(${a}, 1)',
    'count-selected(${a})', 'string-length(${a})', 'regex(${a}, ${a})', 'concat(${a}, .)',
    'round(${a}, ${a})', 'int(${a})', 'coalesce(${a}, .)', 'not(${a}) or ${a} and .'];
  for (const value of weird) {
    for (const expr of exprs) {
      evaluate(expr, { a: value }, { current: value, today: '2026-11-22' });
      assert.equal(typeof evaluateBool(expr, { a: value }, { current: value }), 'boolean');
    }
  }
  assert.equal(evaluate('${a}', null), null);
  assert.equal(evaluate('${constructor}', {}), null);
  assert.equal(evaluate('${a}', new Map([['a', 'x']])), 'x');
});

test('today accepts a Date', () => {
  assert.equal(evaluate('today()', {}, { today: new Date(2026, 0, 5) }), '2026-01-05');
});
