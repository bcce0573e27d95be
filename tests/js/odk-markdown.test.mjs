// Labels render the same on the phone as on the server: same vectors as tests/test_odk_markdown.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { render } from '../../survey_app/static/js/odk-markdown.js';

const vectors = JSON.parse(readFileSync(new URL('../data/markdown_vectors.json', import.meta.url)));

for (const { text, values, html } of vectors) {
  test(`markdown: ${JSON.stringify(text)}`, () => {
    assert.equal(render(text, values), html);
  });
}
