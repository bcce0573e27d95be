// What ${name} means inside an instance of a repeat (as survey_app/engine/scopes.py): the instance's
// own answers first, then the enclosing scope's. A Map, so the expression evaluator reads it with get();
// `position` is the instance's 1-based index, for position(..).

export class Scope extends Map {
  constructor(values, parent = null, position = null) {
    super();
    this.values = values;
    this.parent = parent;
    this.position = position;
  }

  get(name) {
    if (Object.hasOwn(this.values, name)) return this.values[name];
    return this.parent ? this.parent.get(name) : undefined;
  }

  has(name) {
    return Object.hasOwn(this.values, name) || Boolean(this.parent?.has(name));
  }
}

/** The top-level scope of a plain answers object. */
export function topScope(answers) {
  return new Scope(answers || {});
}
