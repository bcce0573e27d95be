// Searching long choice lists on the phone as engine/long_lists.py does (tests/data/list_search_vectors.json),
// and a long list's choice_filter read from the list file's columns as choice-filter.js reads data-choice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { normalise, shownOptions } from '../../survey_app/static/js/list-search.js';
import { allowedNames } from '../../survey_app/static/js/long-lists.js';
import { Scope } from '../../survey_app/static/js/scopes.js';

const vectors = JSON.parse(readFileSync(new URL('../data/list_search_vectors.json', import.meta.url)));
const filters = JSON.parse(readFileSync(new URL('../data/choice_filter_vectors.json', import.meta.url)));

for (const vector of vectors.normalise) {
  test(`normalise ${JSON.stringify(vector.text)}`, () => assert.equal(normalise(vector.text), vector.normalised));
}

for (const vector of vectors.shown) {
  test(`shown: ${vector.about}`, () => {
    const allowed = vector.allowed === null ? null : new Set(vector.allowed);
    assert.deepEqual(shownOptions(vectors.options, allowed, vector.query, vector.chosen, vector.max),
      { shown: vector.shown, found: vector.found });
  });
}

for (const vector of filters.cases) {
  test(`long list filter ${vector.filter}`, () => {
    const options = filters.options.map((option) => [option.name, option.name, option.columns]);
    const allowed = allowedNames(vector.written, options, new Scope(vector.answers), filters.today);
    assert.deepEqual([...allowed].sort(), [...vector.allowed].sort());
  });
}
