// Runs the shared expression vectors against the browser engine: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import {
  ExpressionError, evaluate, evaluateBool, parse, references,
} from '../../survey_app/static/js/expressions.js';

const VECTORS = JSON.parse(readFileSync(new URL('../data/expression_vectors.json', import.meta.url), 'utf-8'));

const options = (c) => ({ current: c.current ?? null, today: c.today ?? VECTORS.today });

function assertValue(actual, expected) {
  if (expected === null || typeof expected === 'boolean') {
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
  const answers = c.answers ?? {};
  if (c.nan) {
    const result = evaluate(c.expr, answers, options(c));
    assert.ok(typeof result === 'number' && Number.isNaN(result), `expected NaN, got ${result}`);
  } else if ('expected' in c) {
    assertValue(evaluate(c.expr, answers, options(c)), c.expected);
  }
  if ('bool' in c) assert.equal(evaluateBool(c.expr, answers, options(c)), c.bool);
}

test('shared vectors', async (t) => {
  assert.ok(VECTORS.cases.length >= 120);
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
