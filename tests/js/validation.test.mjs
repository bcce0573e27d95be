// The browser's checks must agree with the server's: same vectors as tests/test_validation_vectors.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { validate } from '../../survey_app/static/js/validation.js';

const vectors = JSON.parse(readFileSync(new URL('../data/validation_vectors.json', import.meta.url)));

/** Flatten the definition the way form-page.js reads the page: document order, with parent groups. */
function flatten(items, choices, parents = []) {
  return items.flatMap((item) => {
    const [type, list] = item.type.split(' ');
    const max = item.parameters?.max ?? 5;
    const options = type === 'rating'
      ? Array.from({ length: max }, (_, i) => String(i + 1))
      : (choices[list] || []).map((c) => c.name);
    const question = { ...item, type, parents, options, max,
      required: item.required === undefined ? undefined : String(item.required) };
    const children = type === 'group' ? flatten(item.children, choices, [item.name, ...parents]) : [];
    return [question, ...children];
  });
}

const questions = flatten(vectors.form.survey, vectors.form.choices);

for (const c of vectors.cases) {
  test(c.name, () => {
    const result = validate(questions, c.raw, vectors.today);
    assert.deepEqual(result.errors, c.errors);
    assert.deepEqual(result.answers, c.answers);
  });
}
