// The functions every page has (those the shipped questionnaires use); expression_functions.js
// adds the rest. Rows: name -> {low, high (Infinity: any number), run(ctx, ...values), returns,
// referenceFirst}, as in survey_app/engine/expression_functions.py.

import {
  Nodeset, first, isEmpty, items, roundOdk, toNum, toStr, trunc, truthy,
} from './expression_values.js';

export const row = (low, high, run, returns = '', referenceFirst = false) => Object.freeze({
  low, high, run, returns, referenceFirst,
});
/** The values of a function's arguments, or of its one nodeset argument. */
export const valuesOf = (values) => (values.length === 1 && values[0] instanceof Nodeset ? values[0].values : values);
export const trimAscii = (text) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
export const chars = (text) => Array.from(text);
const concat = (ctx, ...values) => valuesOf(values).map(toStr).join('');

export const CORE_FUNCTIONS = Object.freeze({
  'true': row(0, 0, () => true, 'boolean'),
  'false': row(0, 0, () => false, 'boolean'),
  'not': row(1, 1, (ctx, x) => !truthy(x), 'boolean'),
  'if': row(3, 3, (ctx, c, a, b) => (truthy(c) ? a : b)),
  'coalesce': row(2, 2, (ctx, a, b) => {
    const value = first(a);
    return isEmpty(value) || Number.isNaN(value) ? b : a;
  }),
  'selected': row(2, 2, (ctx, x, option) => items(x).includes(trimAscii(toStr(option))), 'boolean'),
  'count-selected': row(1, 1, (ctx, x) => items(x).length, 'number'),
  'number': row(1, 1, (ctx, x) => toNum(x), 'number'),
  'int': row(1, 1, (ctx, x) => trunc(toNum(x)), 'number'),
  'round': row(1, 2, (ctx, x, n = 0) => roundOdk(x, n), 'number'),
  'string': row(1, 1, (ctx, x) => toStr(x)),
  'concat': row(0, Infinity, concat),
  'string-length': row(1, 1, (ctx, x) => chars(toStr(x)).length, 'number'),
  'today': row(0, 0, (ctx) => ctx.today),
});
