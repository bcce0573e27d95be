// Expression language of questionnaire definitions (relevant, constraint, required,
// calculation) for the offline client. Mirrors survey_app/engine/expressions.py and
// expression_parser.py step for step; both are checked against
// tests/data/expression_vectors.json. The semantics are documented in the Python
// module docstring. ES module, no dependencies, reads no browser globals.

export const MAX_DEPTH = 100;

// name -> [min args, max args or Infinity]
export const FUNCTION_ARITY = Object.freeze({
  'not': [1, 1], 'selected': [2, 2], 'count-selected': [1, 1], 'string-length': [1, 1],
  'regex': [2, 2], 'today': [0, 0], 'if': [3, 3], 'number': [1, 1], 'int': [1, 1],
  'string': [1, 1], 'true': [0, 0], 'false': [0, 0], 'coalesce': [2, 2],
  'concat': [1, Infinity], 'round': [1, 2],
});

const BINARY_PRECEDENCE = {
  'or': 1, 'and': 2, '=': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4,
  '+': 5, '-': 5, '*': 6, 'div': 6, 'mod': 6,
};
const SYMBOLS = ['!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '(', ')', ','];
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
  if (chars[i] === '.' && has(DIGITS, chars[i + 1])) {
    i += 1;
    while (has(DIGITS, chars[i])) i += 1;
  }
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
    } else if (ch === '.') {
      i += 1;
      tokens.push({ kind: 'cur', value: null, pos: start });
    } else if (has(LETTERS, ch)) {
      while (i < n && (has(LETTERS, chars[i]) || has(DIGITS, chars[i]) || chars[i] === '-')) i += 1;
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
      left = this.node('op', tok.value, [left, right], tok.pos);
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
    if (tok.kind === 'cur') return this.node('cur', null, [], tok.pos);
    if (isSym(tok, '(')) {
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (tok.kind === 'word' && isSym(this.peek(), '(')) return this.call(tok);
    throw this.fail(tok);
  }

  call(nameTok) {
    const name = nameTok.value;
    if (!Object.hasOwn(FUNCTION_ARITY, name)) {
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
    const [low, high] = FUNCTION_ARITY[name];
    if (args.length < low || args.length > high) {
      const message = `function '${name}' takes ${arityText(low, high)}`;
      throw new ExpressionError(`${message}, got ${args.length}`, nameTok.pos);
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

// ------------------------------------------------------------------- values

const NUMBER_RE = /^[ \t\r\n]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*$/;
const DATE_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const SPLIT_RE = /[ \t\r\n]+/;

const isNumber = (v) => typeof v === 'number';
const isScalar = (v) => ['boolean', 'number', 'bigint'].includes(typeof v);

function normalize(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) {
    return v.map((i) => (typeof i === 'string' ? i : toStr(isScalar(i) ? normalize(i) : null)));
  }
  return null;
}

function truthy(v) {
  if (typeof v === 'boolean') return v;
  if (isNumber(v)) return !Number.isNaN(v) && v !== 0;
  return (typeof v === 'string' || Array.isArray(v)) && v.length > 0;
}

function toNum(v) {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumber(v)) return v;
  if (typeof v === 'string' && NUMBER_RE.test(v)) return Number(v.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
  return NaN;
}

function toStr(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isNumber(v)) return String(v);
  return Array.isArray(v) ? v.join(' ') : '';
}

const isEmpty = (v) => v === null || v === undefined
  || ((typeof v === 'string' || Array.isArray(v)) && v.length === 0);

function items(v) {
  const source = Array.isArray(v) ? v : toStr(v).split(SPLIT_RE);
  return source.filter((i) => i);
}

function equal(x, y) {
  const a = Array.isArray(x) ? toStr(x) : x;
  const b = Array.isArray(y) ? toStr(y) : y;
  if (typeof a === 'boolean' || typeof b === 'boolean') return truthy(a) === truthy(b);
  if (isNumber(a) || isNumber(b)) return toNum(a) === toNum(b);
  return toStr(a) === toStr(b);
}

const COMPARE = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

const isDate = (v) => typeof v === 'string' && DATE_RE.test(v);

function compare(op, x, y) {
  if (isDate(x) && isDate(y)) return COMPARE[op](x, y);
  return COMPARE[op](toNum(x), toNum(y)); // NaN compares false
}

const ARITHMETIC = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  'div': (x, y) => (y === 0 ? NaN : x / y),
  'mod': (x, y) => (y === 0 || !Number.isFinite(x) ? NaN : x % y),
};

const trunc = (x) => (Number.isFinite(x) ? Math.trunc(x) : x);

/** Round half away from zero, with the same float steps as the Python engine. */
function round(value, places = 0) {
  const x = toNum(value);
  const n = toNum(places);
  if (Number.isNaN(n)) return NaN;
  if (!Number.isFinite(x)) return x;
  const digits = Math.trunc(Math.max(-300, Math.min(300, n)));
  const scale = Number(`1e${Math.abs(digits)}`);
  const scaled = digits >= 0 ? Math.abs(x) * scale : Math.abs(x) / scale;
  if (!(scaled < 2 ** 52)) return x; // already integral at this scale (or overflowed)
  const whole = Math.floor(scaled + 0.5);
  const result = digits >= 0 ? whole / scale : whole * scale;
  return x < 0 ? -result : result;
}

function regex(value, pattern) {
  try {
    return new RegExp(toStr(pattern), 'u').test(toStr(value));
  } catch {
    return false;
  }
}

const FUNCTIONS = {
  'not': (ctx, x) => !truthy(x),
  'selected': (ctx, list, v) => items(list).includes(toStr(v)),
  'count-selected': (ctx, x) => items(x).length,
  'string-length': (ctx, x) => Array.from(toStr(x)).length,
  'regex': (ctx, x, pattern) => regex(x, pattern),
  'today': (ctx) => ctx.today,
  'if': (ctx, cond, a, b) => (truthy(cond) ? a : b),
  'number': (ctx, x) => toNum(x),
  'int': (ctx, x) => trunc(toNum(x)),
  'string': (ctx, x) => toStr(x),
  'true': () => true,
  'false': () => false,
  'coalesce': (ctx, a, b) => (isEmpty(a) ? b : a),
  'concat': (ctx, ...args) => args.map(toStr).join(''),
  'round': (ctx, x, n = 0) => round(x, n),
};

// --------------------------------------------------------------- evaluation

function lookup(answers, name) {
  if (answers instanceof Map) return normalize(answers.get(name));
  if (answers && typeof answers === 'object' && Object.hasOwn(answers, name)) {
    return normalize(answers[name]);
  }
  return null;
}

function evalOp(node, ctx) {
  const [left, right] = node.args;
  const op = node.value;
  if (op === 'or') return truthy(evalNode(left, ctx)) || truthy(evalNode(right, ctx));
  if (op === 'and') return truthy(evalNode(left, ctx)) && truthy(evalNode(right, ctx));
  const x = evalNode(left, ctx);
  const y = evalNode(right, ctx);
  if (op === '=') return equal(x, y);
  if (op === '!=') return !equal(x, y);
  if (Object.hasOwn(COMPARE, op)) return compare(op, x, y);
  return ARITHMETIC[op](toNum(x), toNum(y));
}

function evalNode(node, ctx) {
  switch (node.kind) {
    case 'num':
    case 'str': return node.value;
    case 'ref': return lookup(ctx.answers, node.value);
    case 'cur': return ctx.current;
    case 'neg': return -toNum(evalNode(node.args[0], ctx));
    case 'op': return evalOp(node, ctx);
    default: return FUNCTIONS[node.value](ctx, ...node.args.map((a) => evalNode(a, ctx)));
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

/** Compute the raw value; never throws for any answer values (only parse errors). */
export function evaluate(astOrText, answers, opts = {}) {
  const { current, today } = opts ?? {};
  const ctx = { answers: answers ?? {}, current: normalize(current), today: isoToday(today) };
  return evalNode(asNode(astOrText), ctx);
}

/** Evaluate for relevant/constraint/required, which need a yes/no. */
export function evaluateBool(astOrText, answers, opts = {}) {
  return truthy(evaluate(astOrText, answers, opts));
}
