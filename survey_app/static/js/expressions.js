// Expression language of questionnaire definitions (relevant, constraint, required,
// calculation) for the offline client. Mirrors survey_app/engine/expressions.py and
// expression_parser.py step for step; both are checked against
// tests/data/expression_vectors.json. The semantics are documented in the Python
// module docstring; values, dates, functions and regex live in the expression_*.js modules.
// ES modules, reads no browser globals at import time.

import {
  Nodeset, div, equal, first, isEmpty, items, mod, normalize, roundOdk, toNum, toStr, trunc, truthy,
} from './expression_values.js';

export { Nodeset };
export const MAX_DEPTH = 100;
export const MAX_LENGTH = 20000;

// ------------------------------------------------------------ functions
// Rows: name -> {low, high (Infinity: any number), run(ctx, ...values), returns, referenceFirst},
// as in survey_app/engine/expression_functions.py. Every page has the core ones (those the
// shipped questionnaires use, engine/expression_functions.py: BROWSER_CORE); a page loads
// expression_functions.js, which adds the others, only for a questionnaire that uses them.

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
  'string-length': row(0, 1, (ctx, x) => chars(toStr(x)).length, 'number'), // no argument: "."
  'today': row(0, 0, (ctx) => ctx.today),
});

// The functions this page knows.
const FUNCTIONS = { ...CORE_FUNCTIONS };
let checkPattern = () => null;

/** Add functions (and the regex pattern check) to the language on this page. */
export function addFunctions(table, { checkPattern: check } = {}) {
  Object.assign(FUNCTIONS, table);
  if (check) checkPattern = check;
}
const OPERATOR_NAMES = ['and', 'or', 'div', 'mod'];
const VALUE_ENDS = new Set(['num', 'str', 'ref', 'cur', 'parent']);

const BINARY_PRECEDENCE = {
  'or': 1, 'and': 2, '=': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4,
  '+': 5, '-': 5, '*': 6, 'div': 6, 'mod': 6,
};
const SYMBOLS = ['!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '(', ')', ',', '/', '[', ']'];
// instance('list')/root/item[...]: read and evaluated by expression_instances.js, which a page loads
// only for a questionnaire that uses it (with the functions beyond the core).
const SYNTAX = {};
export const addSyntax = (extra) => Object.assign(SYNTAX, extra);
export { isSym };
const SPACE = ' \t\r\n';
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_';
const DIGITS = '0123456789';
const has = (set, ch) => ch !== undefined && ch !== '' && set.includes(ch);

/** Syntax error; `position` is a 0-based index in code points. */
export class ExpressionError extends Error {
  constructor(reason, position) {
    super(`${reason} at character ${position + 1}`);
    this.name = 'ExpressionError';
    this.reason = reason;
    this.position = position;
  }
}

// ---------------------------------------------------------------- tokenizer
// Works on an array of code points so positions match Python's string indices.

function scanNumber(chars, i) {
  while (has(DIGITS, chars[i])) i += 1;
  if (chars[i] === '.' && chars[i + 1] !== '.') { // 123. is a number, as in ODK
    i += 1;
    while (has(DIGITS, chars[i])) i += 1;
  }
  return i;
}

/** After a value, `and`, `or`, `div` and `mod` are operators even when a name follows at once (1and1). */
function operatorName(chars, i, tokens) {
  const last = tokens[tokens.length - 1];
  if (!last || !(VALUE_ENDS.has(last.kind) || (last.kind === 'sym' && last.value === ')'))) return null;
  return OPERATOR_NAMES.find((name) => chars.slice(i, i + name.length).join('') === name) ?? null;
}

/** A function name: letters, digits, - and _, with one namespace prefix such as jr:. */
function scanWord(chars, i, prefix = true) {
  while (i < chars.length && (has(LETTERS, chars[i]) || has(DIGITS, chars[i]) || chars[i] === '-')) i += 1;
  if (prefix && chars[i] === ':' && has(LETTERS, chars[i + 1])) return scanWord(chars, i + 1, false);
  return i;
}

function validName(name) {
  const tail = LETTERS + DIGITS + '-.';
  return name.length > 0 && has(LETTERS, name[0]) && [...name].every((c) => tail.includes(c));
}

function scanReference(chars, i) {
  const end = chars.indexOf('}', i + 2);
  if (end < 0) throw new ExpressionError('unterminated reference', i);
  const name = chars.slice(i + 2, end).join('');
  if (!name) throw new ExpressionError('empty reference', i);
  if (!validName(name)) throw new ExpressionError(`invalid name '${name}'`, i);
  return [name, end + 1];
}

function tokenize(text) {
  const chars = Array.from(text);
  const tokens = [];
  const n = chars.length;
  if (n > MAX_LENGTH) throw new ExpressionError(`expression longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  let i = 0;
  while (i < n) {
    const ch = chars[i];
    const nxt = chars[i + 1];
    const start = i;
    if (SPACE.includes(ch)) {
      i += 1;
      continue;
    }
    if (has(DIGITS, ch) || (ch === '.' && has(DIGITS, nxt))) {
      i = scanNumber(chars, i);
      tokens.push({ kind: 'num', value: Number(chars.slice(start, i).join('')), pos: start });
    } else if (ch === "'" || ch === '"') {
      i = chars.indexOf(ch, i + 1) + 1;
      if (i === 0) throw new ExpressionError('unterminated string', start);
      tokens.push({ kind: 'str', value: chars.slice(start + 1, i - 1).join(''), pos: start });
    } else if (ch === '$' && nxt === '{') {
      let name;
      [name, i] = scanReference(chars, i);
      tokens.push({ kind: 'ref', value: name, pos: start });
    } else if (ch === '.' && nxt === '.') {
      i += 2;
      tokens.push({ kind: 'parent', value: null, pos: start });
    } else if (ch === '.') {
      i += 1;
      tokens.push({ kind: 'cur', value: null, pos: start });
    } else if (has(LETTERS, ch)) {
      const operator = operatorName(chars, i, tokens);
      i = operator ? i + operator.length : scanWord(chars, i);
      tokens.push({ kind: 'word', value: chars.slice(start, i).join(''), pos: start });
    } else {
      const sym = SYMBOLS.find((s) => chars.slice(i, i + s.length).join('') === s);
      if (sym === undefined) throw new ExpressionError(`unexpected character '${ch}'`, i);
      i += sym.length;
      tokens.push({ kind: 'sym', value: sym, pos: start });
    }
  }
  tokens.push({ kind: 'end', value: null, pos: n });
  return tokens;
}

// ------------------------------------------------------------------- parser

function describe(tok) {
  if (tok.kind === 'end') return 'end of expression';
  const labels = { num: 'number', str: 'string', ref: 'reference', cur: "'.'" };
  return labels[tok.kind] || `'${tok.value}'`;
}

function arityText(low, high) {
  if (high === Infinity) return `at least ${low} argument(s)`;
  return low === high ? `${low} argument(s)` : `${low} to ${high} arguments`;
}

const isSym = (tok, sym) => tok.kind === 'sym' && tok.value === sym;

class Parser {
  constructor(text) {
    this.tokens = tokenize(text);
    this.i = 0;
    this.nesting = 0;
    this.inPredicate = false;  // bare words are the columns of an instance's item
  }

  peek() { return this.tokens[this.i]; }

  take() {
    const tok = this.tokens[this.i];
    if (tok.kind !== 'end') this.i += 1; // never move past the end token
    return tok;
  }

  fail(tok) { return new ExpressionError(`unexpected ${describe(tok)}`, tok.pos); }

  expect(sym) {
    const tok = this.take();
    if (!isSym(tok, sym)) throw this.fail(tok);
  }

  node(kind, value, args, pos) {
    const depth = 1 + args.reduce((m, a) => Math.max(m, a.depth), 0);
    if (depth > MAX_DEPTH) throw new ExpressionError('expression too deeply nested', pos);
    return Object.freeze({ kind, value, args: Object.freeze(args), depth });
  }

  binaryPrecedence() {
    const tok = this.peek();
    if (tok.kind !== 'sym' && tok.kind !== 'word') return 0;
    return Object.hasOwn(BINARY_PRECEDENCE, tok.value) ? BINARY_PRECEDENCE[tok.value] : 0;
  }

  expression(minPrecedence = 1) {
    let left = this.unary();
    let prec;
    while ((prec = this.binaryPrecedence()) >= minPrecedence) {
      const tok = this.take();
      const right = this.expression(prec + 1);
      // a chain of one operator (a or b or c...) is one node, folded left: no deeper per link
      const args = left.kind === 'op' && left.value === tok.value ? [...left.args, right] : [left, right];
      left = this.node('op', tok.value, args, tok.pos);
    }
    return left;
  }

  unary() {
    const tok = this.peek();
    this.nesting += 1;
    if (this.nesting > MAX_DEPTH) throw new ExpressionError('expression too deeply nested', tok.pos);
    let result;
    if (isSym(tok, '-')) {
      this.take();
      result = this.node('neg', null, [this.unary()], tok.pos);
    } else {
      result = this.primary();
    }
    this.nesting -= 1;
    return result;
  }

  primary() {
    const tok = this.take();
    if (tok.kind === 'num' || tok.kind === 'str' || tok.kind === 'ref') {
      return this.node(tok.kind, tok.value, [], tok.pos);
    }
    if (tok.kind === 'cur' || tok.kind === 'parent') return this.node(tok.kind, null, [], tok.pos);
    if (isSym(tok, '(')) {
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (tok.kind === 'word' && tok.value === 'instance' && isSym(this.peek(), '(') && SYNTAX.instance) {
      return SYNTAX.instance(this, tok);
    }
    if (tok.kind === 'word' && isSym(this.peek(), '(')) return this.call(tok);
    if (tok.kind === 'word' && this.inPredicate && !Object.hasOwn(BINARY_PRECEDENCE, tok.value)) {
      return this.node('col', tok.value, [], tok.pos);
    }
    throw this.fail(tok);
  }

  call(nameTok) {
    const name = nameTok.value;
    if (!Object.hasOwn(FUNCTIONS, name)) {
      throw new ExpressionError(`unknown function '${name}'`, nameTok.pos);
    }
    this.take(); // "("
    const args = [];
    if (!isSym(this.peek(), ')')) {
      args.push(this.expression());
      while (isSym(this.peek(), ',')) {
        this.take();
        args.push(this.expression());
      }
    }
    this.expect(')');
    const { low, high } = FUNCTIONS[name];
    if (args.length < low || args.length > high) {
      const message = `function '${name}' takes ${arityText(low, high)}`;
      throw new ExpressionError(`${message}, got ${args.length}`, nameTok.pos);
    }
    const reason = name === 'regex' && args[1].kind === 'str' ? checkPattern(args[1].value) : null;
    if (reason) throw new ExpressionError(`regex pattern refused: ${reason}`, nameTok.pos);
    if (FUNCTIONS[name].referenceFirst && args[0].kind !== 'ref') {
      throw new ExpressionError(`function '${name}' needs a \${question} as its first argument`, nameTok.pos);
    }
    return this.node('call', name, args, nameTok.pos);
  }

  parse() {
    if (this.peek().kind === 'end') throw new ExpressionError('empty expression', 0);
    const tree = this.expression();
    if (this.peek().kind !== 'end') throw this.fail(this.peek());
    return tree;
  }
}

const CACHE_LIMIT = 2048;
const cache = new Map();

/** Parse once and reuse: forms evaluate the same expressions on every change. */
export function parse(text) {
  if (typeof text !== 'string') throw new ExpressionError('expression must be a string', 0);
  let tree = cache.get(text);
  if (tree === undefined) {
    tree = new Parser(text).parse();
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value);
    cache.set(text, tree);
  }
  return tree;
}

// --------------------------------------------------------------- evaluation

function lookup(answers, name) {
  if (answers instanceof Map) return normalize(answers.get(name));
  if (answers && typeof answers === 'object' && Object.hasOwn(answers, name)) {
    return normalize(answers[name]);
  }
  return null;
}

const BINARY = {
  '=': equal,
  '!=': (x, y) => !equal(x, y),
  '<': (x, y) => toNum(x) < toNum(y),
  '<=': (x, y) => toNum(x) <= toNum(y),
  '>': (x, y) => toNum(x) > toNum(y),
  '>=': (x, y) => toNum(x) >= toNum(y),
  '+': (x, y) => toNum(x) + toNum(y),
  '-': (x, y) => toNum(x) - toNum(y),
  '*': (x, y) => toNum(x) * toNum(y),
  'div': (x, y) => div(toNum(x), toNum(y)),
  'mod': (x, y) => mod(toNum(x), toNum(y)),
};

function evalOp(node, ctx) {
  const op = node.value;
  if (op === 'or') return node.args.some((arg) => truthy(evalNode(arg, ctx)));
  if (op === 'and') return node.args.every((arg) => truthy(evalNode(arg, ctx)));
  // folded left, each value read once, in order (as the server's written source does)
  let result = evalNode(node.args[0], ctx);
  for (let i = 1; i < node.args.length; i += 1) result = BINARY[op](result, evalNode(node.args[i], ctx));
  return result;
}

const CURRENT_BY_DEFAULT = new Set(['string-length', 'normalize-space']); // without an argument they read "."

function evalCall(node, ctx) {
  const name = node.value;
  if (name === 'if') return evalNode(node.args[truthy(evalNode(node.args[0], ctx)) ? 1 : 2], ctx);
  const args = node.args.map((a) => evalNode(a, ctx));
  if (args.length === 0 && CURRENT_BY_DEFAULT.has(name)) args.push(ctx.current);
  if (name === 'once') args.unshift(ctx.current);
  else if (name === 'indexed-repeat') args.unshift(node.args[0].value);
  return FUNCTIONS[name].run(ctx, ...args);
}

function evalNode(node, ctx) {
  switch (node.kind) {
    case 'num':
    case 'str': return node.value;
    case 'ref': return lookup(ctx.answers, node.value);
    case 'cur': return ctx.current;
    case 'parent': return '';
    case 'neg': return -toNum(evalNode(node.args[0], ctx));
    case 'op': return evalOp(node, ctx);
    case 'col': return Object.hasOwn(ctx.item, node.value) ? ctx.item[node.value] : null;
    case 'instance': return SYNTAX.evaluateInstance(node, ctx, evalNode);
    default: return evalCall(node, ctx);
  }
}

const pad = (n, width) => String(n).padStart(width, '0');

/** Accepts 'YYYY-MM-DD' or a Date (local calendar day); defaults to today. */
function isoToday(today) {
  if (typeof today === 'string') return today;
  const day = today instanceof Date && !Number.isNaN(today.getTime()) ? today : new Date();
  return `${pad(day.getFullYear(), 4)}-${pad(day.getMonth() + 1, 2)}-${pad(day.getDate(), 2)}`;
}

const asNode = (astOrText) => (typeof astOrText === 'string' ? parse(astOrText) : astOrText);

/** Names referenced via ${...}, sorted and unique, so callers know what to re-evaluate. */
export function references(textOrAst) {
  const found = new Set();
  const stack = [asNode(textOrAst)];
  while (stack.length) {
    const node = stack.pop();
    if (node.kind === 'ref') found.add(node.value);
    stack.push(...node.args);
  }
  return [...found].sort();
}

/**
 * Compute the raw value; never throws for any answer values (only parse errors).
 * opts: current (the value of "."), today ('YYYY-MM-DD' or a Date) and, for repeats and
 * attached files, what engine/expression_functions.py's Context holds: now, position (1-based
 * index of the repeat instance), values(name) (every instance's value, for indexed-repeat),
 * attachments ({file name: rows}) and choiceLabels ({question: {option: label}}).
 */
let TABLES = {};
/** The attached rows and option labels of this page's questionnaire (its data-expression-tables), read by every evaluation. */
export const useTables = (tables) => { TABLES = tables || {}; };

export function evaluate(astOrText, answers, opts = {}) {
  const options = opts ?? {};
  const ctx = {
    answers: answers ?? {},
    current: normalize(options.current),
    today: isoToday(options.today),
    now: options.now || '',
    position: options.position ?? 1,
    values: options.values || null,
    attachments: options.attachments || TABLES.attachments || {},
    choiceLabels: options.choiceLabels || TABLES.choiceLabels || {},
    instances: options.instances || TABLES.instances || {},
  };
  return evalNode(asNode(astOrText), ctx);
}

/** Evaluate for relevant/constraint/required, which need a yes/no. */
export function evaluateBool(astOrText, answers, opts = {}) {
  return truthy(evaluate(astOrText, answers, opts));
}
