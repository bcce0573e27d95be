// instance('list')/root/item[predicate]/column: reading a questionnaire's lists in expressions, as
// survey_app/engine/expression_instances.py and expression_parser.py do (held to the shared vectors).
// Loaded with expression_functions.js, only by pages whose questionnaire needs more than the core;
// the lists an expression reads come in the page's tables (form-tables.js).

import { ExpressionError, Nodeset, addSyntax, isSym } from './expressions.js';
import { truthy } from './expression_values.js';

const PREDICATE_DEPTH = 7;  // written inline on the server, never split: bounded as the parser there bounds it
const MAX_ITEMS = 20000;

function expectWord(parser, word) {
  const tok = parser.take();
  if (tok.kind !== 'word' || tok.value !== word) throw parser.fail(tok);
}

/** Parse what follows the word instance: ('list')/root/item, a [predicate] and a /column, both optional. */
function parseInstance(parser, nameTok) {
  if (parser.inPredicate) throw new ExpressionError('instance() inside an instance() predicate', nameTok.pos);
  parser.take(); // "("
  const name = parser.take();
  if (name.kind !== 'str') throw parser.fail(name);
  parser.expect(')');
  for (const part of ['root', 'item']) {
    parser.expect('/');
    expectWord(parser, part);
  }
  const args = [];
  if (isSym(parser.peek(), '[')) {
    const start = parser.take();
    parser.inPredicate = true;
    const predicate = parser.expression();
    parser.inPredicate = false;
    parser.expect(']');
    if (predicate.depth > PREDICATE_DEPTH) throw new ExpressionError('instance() predicate too deeply nested', start.pos);
    args.push(predicate);
  }
  let column = null;
  if (isSym(parser.peek(), '/')) {
    parser.take();
    const tok = parser.take();
    if (tok.kind !== 'word') throw parser.fail(tok);
    column = tok.value;
  }
  return parser.node('instance', [name.value, column], args, nameTok.pos);
}

/** The values of a column (or the names) of an instance's items the predicate keeps. */
function evaluateInstance(node, ctx, evalNode) {
  const [name, column] = node.value;
  const items = Object.hasOwn(ctx.instances, name) ? ctx.instances[name].slice(0, MAX_ITEMS) : [];
  const key = column || 'name';
  const kept = [];
  for (const item of items) {
    if (node.args.length && !truthy(evalNode(node.args[0], { ...ctx, item }))) continue;
    kept.push(Object.hasOwn(item, key) && item[key] !== null ? item[key] : '');
  }
  return new Nodeset(kept);
}

addSyntax({ instance: parseInstance, evaluateInstance });
