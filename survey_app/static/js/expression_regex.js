// regex(): the same reading of a pattern as survey_app/engine/expression_regex.py (which says
// which syntax is accepted and why), run on a state machine of our own in linear time: the
// pattern never reaches the browser's backtracking RegExp, so no pattern can hold the phone.
// True when the *whole* answer matches, as in ODK Collect.

const MAX_PATTERN = 1000;
const MAX_SIZE = 500;
const MAX_COUNT = 1000;
const LAST = 0x10ffff;
const DIGITS = [[48, 57]];
const WORD = [[48, 57], [65, 90], [95, 95], [97, 122]];
const SPACE = [[9, 13], [32, 32]];
const LINE_ENDS = [[10, 10], [13, 13], [0x85, 0x85], [0x2028, 0x2029]];
const SHORTHANDS = {
  d: [DIGITS, false], D: [DIGITS, true], w: [WORD, false], W: [WORD, true], s: [SPACE, false], S: [SPACE, true],
};
const CONTROLS = { n: 10, r: 13, t: 9, f: 12, v: 11 };
const COUNTS = /^([0-9]{1,7})(,([0-9]{1,7})?)?$/;
const ASSERTIONS = new Set(['bol', 'eol', 'word', 'notword']);

export class PatternError extends Error {}

function complement(ranges) {
  const out = [];
  let start = 0;
  for (const [low, high] of ranges) {
    if (low > start) out.push([start, low - 1]);
    start = high + 1;
  }
  if (start <= LAST) out.push([start, LAST]);
  return out;
}

function merge(ranges) {
  const out = [];
  for (const [low, high] of [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
    const last = out[out.length - 1];
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else out.push([low, high]);
  }
  return out;
}

const set = (ranges) => ({ kind: 'set', ranges });
const single = (code) => set([[code, code]]);
const isAlnumAscii = (c) => /^[A-Za-z0-9]$/.test(c);

class Reader {
  constructor(pattern) {
    this.text = Array.from(pattern);
    this.i = 0;
  }

  fail(reason) { return new PatternError(`${reason} (character ${this.i + 1} of the pattern)`); }

  peek(ahead = 0) { return this.text[this.i + ahead] ?? ''; }

  startsWith(s, at) { return this.text.slice(at, at + s.length).join('') === s; }

  alternation() {
    const choices = [this.sequence()];
    while (this.peek() === '|') {
      this.i += 1;
      choices.push(this.sequence());
    }
    return choices.length === 1 ? choices[0] : { kind: 'alt', parts: choices };
  }

  sequence() {
    const parts = [];
    while (!['', '|', ')'].includes(this.peek())) parts.push(this.quantified(this.atom()));
    return parts.length === 1 ? parts[0] : { kind: 'cat', parts };
  }

  atom() {
    const ch = this.peek();
    this.i += 1;
    if (ch === '(') return this.group();
    if (ch === '[') return this.charClass();
    if (ch === '\\') return this.escape(false);
    if (ch === '.') return set(complement(LINE_ENDS));
    if (ch === '^') return { kind: 'bol' };
    if (ch === '$') return { kind: 'eol' };
    if ('*+?'.includes(ch)) {
      this.i -= 1;
      throw this.fail(`nothing to repeat before '${ch}'`);
    }
    if (ch === '{') {
      this.i -= 1;
      throw this.fail("a '{' that starts no repetition: write \\{ for a brace");
    }
    return single(ch.codePointAt(0));
  }

  group() {
    if (this.peek() === '?') {
      if (this.peek(1) === ':') {
        this.i += 2;
      } else if (this.startsWith('P<', this.i + 1) || (this.peek(1) === '<' && !'=!'.includes(this.peek(2)))) {
        const end = this.text.indexOf('>', this.i);
        if (end < 0) throw this.fail('an unfinished group name');
        this.i = end + 1; // a named group is read as a plain one
      } else if (['=', '!', '<'].includes(this.peek(1))) {
        throw this.fail('lookahead and lookbehind are not supported');
      } else {
        throw this.fail('flags such as (?i) are not supported');
      }
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw this.fail("a '(' without its ')'");
    this.i += 1;
    return inner;
  }

  quantified(start) {
    let item = start;
    let repeated = false;
    for (;;) {
      const ch = this.peek();
      let low;
      let high;
      if (ch === '*' || ch === '+' || ch === '?') {
        this.i += 1;
        [low, high] = { '*': [0, null], '+': [1, null], '?': [0, 1] }[ch];
      } else if (ch === '{') {
        [low, high] = this.counts();
      } else {
        return item;
      }
      if (this.peek() === '?') this.i += 1; // lazy: the same yes/no for a whole-answer match
      else if (this.peek() === '+') throw this.fail('possessive quantifiers such as a*+ are not supported');
      if (repeated || ASSERTIONS.has(item.kind)) throw this.fail('nothing to repeat');
      item = { kind: 'rep', parts: [item], low, high };
      repeated = true;
    }
  }

  counts() {
    const end = this.text.indexOf('}', this.i);
    const found = end > 0 ? COUNTS.exec(this.text.slice(this.i + 1, end).join('')) : null;
    if (found === null) throw this.fail("a '{' that starts no repetition: write \\{ for a brace");
    const low = Number(found[1]);
    let high = low;
    if (found[2] !== undefined) high = found[3] ? Number(found[3]) : null;
    if (low > MAX_COUNT || (high !== null && high > MAX_COUNT)) throw this.fail(`a repetition larger than ${MAX_COUNT}`);
    if (high !== null && high < low) throw this.fail('a repetition {n,m} with m smaller than n');
    this.i = end + 1;
    return [low, high];
  }

  escape(inClass) {
    const ch = this.peek();
    if (ch === '') throw this.fail('a pattern cannot end with a backslash');
    this.i += 1;
    if (Object.hasOwn(SHORTHANDS, ch)) {
      const [ranges, negated] = SHORTHANDS[ch];
      return set(negated ? complement(ranges) : ranges);
    }
    if (Object.hasOwn(CONTROLS, ch)) return single(CONTROLS[ch]);
    if ((ch === 'b' || ch === 'B') && !inClass) return { kind: ch === 'b' ? 'word' : 'notword' };
    if (ch === 'u' || ch === 'x') return this.hexEscape(ch === 'u' ? 4 : 2);
    if (isAlnumAscii(ch)) {
      this.i -= 1;
      if (/[0-9]/.test(ch)) throw this.fail('back-references such as \\1 are not supported');
      throw this.fail(`the escape \\${ch} is not supported`);
    }
    return single(ch.codePointAt(0));
  }

  hexEscape(digits) {
    const text = this.text.slice(this.i, this.i + digits).join('');
    if (text.length !== digits || !/^[0-9a-fA-F]+$/.test(text)) {
      throw this.fail(`\\${digits === 4 ? 'u' : 'x'} needs ${digits} hexadecimal digits`);
    }
    this.i += digits;
    return single(parseInt(text, 16));
  }

  charClass() {
    const negated = this.peek() === '^';
    if (negated) this.i += 1;
    if (this.peek() === ']') throw this.fail('an empty class [] or [^]: write \\] for a bracket');
    const ranges = [];
    while (this.peek() !== ']') {
      const low = this.classMember();
      if (this.peek() === '-' && !['', ']'].includes(this.peek(1))) {
        this.i += 1;
        const high = this.classMember();
        if (low.length !== 1 || high.length !== 1 || low[0][0] !== low[0][1] || high[0][0] !== high[0][1]) {
          throw this.fail('a range in a class must join two single characters');
        }
        if (high[0][0] < low[0][0]) throw this.fail('a range in a class goes backwards');
        ranges.push([low[0][0], high[0][0]]);
      } else {
        ranges.push(...low);
      }
    }
    this.i += 1;
    const merged = merge(ranges);
    return set(negated ? complement(merged) : merged);
  }

  classMember() {
    const ch = this.peek();
    if (ch === '') throw this.fail("a '[' without its ']'");
    if (ch === '[' || (ch === '&' && this.peek(1) === '&')) {
      throw this.fail('classes inside classes are not supported: write \\[ for a bracket');
    }
    this.i += 1;
    if (ch === '\\') return this.escape(true).ranges;
    return [[ch.codePointAt(0), ch.codePointAt(0)]];
  }
}

function size(item) {
  if (item.kind === 'cat' || item.kind === 'alt') return item.parts.reduce((n, p) => n + size(p), 0) + 1;
  if (item.kind === 'rep') return size(item.parts[0]) * Math.max(item.low, item.high ?? 0, 1) + 1;
  return 1;
}

/** The pattern's tree, or PatternError saying what is not accepted. */
export function read(pattern) {
  if (Array.from(pattern).length > MAX_PATTERN) throw new PatternError(`a pattern longer than ${MAX_PATTERN} characters`);
  const reader = new Reader(pattern);
  const tree = reader.alternation();
  if (reader.peek() === ')') throw reader.fail("a ')' without its '('");
  if (size(tree) > MAX_SIZE) throw new PatternError('a pattern too large once its repetitions are written out');
  return tree;
}

/** Why a pattern is refused, or null when it is accepted. */
export function check(pattern) {
  try {
    read(pattern);
    return null;
  } catch (err) {
    if (err instanceof PatternError) return err.message;
    throw err;
  }
}

// ------------------------------------------------------------ state machine
// Thompson's construction: instructions 'set' (consume one character of the ranges), 'split'
// (two ways on), 'jmp', 'assert' and 'match'; run by advancing every live instruction one
// character at a time (no backtracking), so the work is at most (answer length) x (instructions).

function compile(tree) {
  const prog = [];
  const emit = (item) => {
    switch (item.kind) {
      case 'set': prog.push({ op: 'set', ranges: item.ranges }); break;
      case 'cat': item.parts.forEach(emit); break;
      case 'alt': {
        const jumps = [];
        item.parts.forEach((part, i) => {
          if (i < item.parts.length - 1) {
            const split = { op: 'split', x: prog.length + 1, y: 0 };
            prog.push(split);
            emit(part);
            const jmp = { op: 'jmp', x: 0 };
            prog.push(jmp);
            jumps.push(jmp);
            split.y = prog.length;
          } else {
            emit(part);
          }
        });
        jumps.forEach((jmp) => { jmp.x = prog.length; });
        break;
      }
      case 'rep': emitRepeat(item); break;
      default: prog.push({ op: 'assert', kind: item.kind });
    }
  };
  const emitRepeat = ({ parts: [body], low, high }) => {
    for (let i = 0; i < low; i += 1) emit(body);
    if (high === null) {
      const split = { op: 'split', x: prog.length + 1, y: 0 };
      prog.push(split);
      emit(body);
      prog.push({ op: 'jmp', x: prog.indexOf(split) });
      split.y = prog.length;
      return;
    }
    const splits = [];
    for (let i = low; i < high; i += 1) {
      const split = { op: 'split', x: prog.length + 1, y: 0 };
      prog.push(split);
      splits.push(split);
      emit(body);
    }
    splits.forEach((split) => { split.y = prog.length; });
  };
  emit(tree);
  prog.push({ op: 'match' });
  return prog;
}

function inRanges(ranges, code) {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < ranges[mid][0]) hi = mid - 1;
    else if (code > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const isWord = (code) => code !== undefined && inRanges(WORD, code);
const MAX_STATES = 4096;

// The set of live instructions after each character is a state of a machine built as the answer
// is read (a lazy DFA): a state met again, with a character of the same class (characters no set
// of the pattern tells apart) and the same surroundings (start, end, word boundary), is looked up
// instead of recomputed, so a long answer costs a lookup per character once the states are known.
class Machine {
  constructor(prog) {
    this.prog = prog;
    this.assertions = prog.some((ins) => ins.op === 'assert');
    const bounds = new Set([0]);
    for (const ins of prog) {
      if (ins.op === 'set') for (const [low, high] of ins.ranges) bounds.add(low).add(high + 1);
    }
    this.bounds = [...bounds].sort((x, y) => x - y);
    this.seen = new Int32Array(prog.length).fill(-1);
    this.generation = 0;
    this.states = new Map();
    this.starts = new Map();
  }

  classOf(code) {
    let lo = 0;
    let hi = this.bounds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.bounds[mid] <= code) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  holds(kind, flags) {
    if (kind === 'bol') return (flags & 1) !== 0;
    if (kind === 'eol') return (flags & 2) !== 0;
    const boundary = ((flags >> 2) & 1) !== ((flags >> 3) & 1);
    return kind === 'word' ? boundary : !boundary;
  }

  /** The state reached from these instructions without reading a character. */
  state(starts, flags) {
    this.generation += 1;
    const pcs = [];
    const stack = [...starts].reverse();
    while (stack.length) {
      const pc = stack.pop();
      if (this.seen[pc] === this.generation) continue;
      this.seen[pc] = this.generation;
      const ins = this.prog[pc];
      if (ins.op === 'jmp') stack.push(ins.x);
      else if (ins.op === 'split') stack.push(ins.y, ins.x);
      else if (ins.op === 'assert') { if (this.holds(ins.kind, flags)) stack.push(pc + 1); } else pcs.push(pc);
    }
    pcs.sort((x, y) => x - y);
    const key = pcs.join(',');
    let found = this.states.get(key);
    if (found === undefined) {
      found = { pcs, next: new Map(), match: pcs.some((pc) => this.prog[pc].op === 'match') };
      if (this.states.size < MAX_STATES) this.states.set(key, found);
    }
    return found;
  }

  step(from, code, flags) {
    const key = this.classOf(code) * 16 + flags;
    let next = from.next.get(key);
    if (next === undefined) {
      const targets = [];
      for (const pc of from.pcs) {
        const ins = this.prog[pc];
        if (ins.op === 'set' && inRanges(ins.ranges, code)) targets.push(pc + 1);
      }
      next = this.state(targets, flags);
      if (from.next.size < 256) from.next.set(key, next);
    }
    return next;
  }

  run(codes) {
    const n = codes.length;
    const flagsAt = (at) => (this.assertions
      ? (at === 0 ? 1 : 0) | (at === n ? 2 : 0) | (isWord(codes[at - 1]) ? 4 : 0) | (isWord(codes[at]) ? 8 : 0)
      : 0);
    const first = flagsAt(0);
    if (!this.starts.has(first)) this.starts.set(first, this.state([0], first));
    let current = this.starts.get(first);
    for (let at = 0; at < n; at += 1) {
      current = this.step(current, codes[at], flagsAt(at + 1));
      if (current.pcs.length === 0) return false;
    }
    return current.match;
  }
}

const CACHE_LIMIT = 256;
const programs = new Map();

function machine(pattern) {
  if (programs.has(pattern)) return programs.get(pattern);
  let built = null;
  try {
    built = new Machine(compile(read(pattern)));
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
  }
  if (programs.size >= CACHE_LIMIT) programs.delete(programs.keys().next().value);
  programs.set(pattern, built);
  return built;
}

/** Whether the whole text matches the pattern; false for a pattern this language refuses. */
export function matches(text, pattern) {
  const built = machine(pattern);
  if (built === null) return false;
  return built.run(Array.from(text, (c) => c.codePointAt(0)));
}
