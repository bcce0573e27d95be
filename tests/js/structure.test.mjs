// Repeats and choice filters on the phone agree with the server (engine/structured_check.py,
// engine/choice_filter.py): the filters through the shared vectors, instances through the cases below.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { allowedNames } from '../../survey_app/static/js/choice-filter.js';
import { nextScreen } from '../../survey_app/static/js/pages.js';
import { checkRepeat } from '../../survey_app/static/js/repeats.js';
import { Scope } from '../../survey_app/static/js/scopes.js';

const vectors = JSON.parse(readFileSync(new URL('../data/choice_filter_vectors.json', import.meta.url)));
// Each option's columns as the page writes them in data-choice (engine/choice_filter.columns).
const options = vectors.options.map((option) => ({
  name: option.name,
  columns: Object.fromEntries(Object.entries({ name: option.name, ...option.columns }).map(([k, v]) => [`__choice.${k}`, v])),
}));

for (const c of vectors.cases) {
  test(`choice filter ${c.filter}`, () => {
    assert.deepEqual(allowedNames(c.written, options, new Scope(c.answers), vectors.today), c.allowed);
  });
}

const item = (path, type, extra = {}) => ({ path, name: path.split('/').pop(), type, parents: [], options: [], ...extra });

function childRepeat(count) {
  return {
    instances: Array.from({ length: count }, (_, i) => ({
      items: [
        item(`child/${i}/child_name`, 'text', { required: 'true()' }),
        item(`child/${i}/child_age`, 'integer', { constraint: '. < 18' }),
        item(`child/${i}/in_school`, 'select_one', { relevant: '${child_age} >= 6', options: ['yes', 'no'] }),
        item(`child/${i}/label`, 'calculate', { calculation: "concat(${child_name}, '/', ${family})" }),
      ],
    })),
  };
}

test('each instance is checked in its own scope, with the answers outside it', () => {
  const raw = {
    'child/0/child_name': 'Sara', 'child/0/child_age': '4', 'child/0/in_school': 'yes',
    'child/1/child_name': '', 'child/1/child_age': '19', 'child/1/in_school': 'no',
  };
  const outcome = checkRepeat(childRepeat(2), raw, new Scope({ family: 'Karimi' }), '2026-11-22');
  assert.deepEqual(outcome.errors, { 'child/1/child_name': 'required', 'child/1/child_age': 'constraint' });
  assert.deepEqual([...outcome.hidden], ['child/0/in_school']);
  assert.deepEqual(outcome.rows[0], { child_name: 'Sara', child_age: 4, label: 'Sara/Karimi' });
  assert.deepEqual(outcome.rows[1], { child_age: 19, in_school: 'no', label: '/Karimi' });
});

test('a nested repeat is checked inside its instance and kept as a list', () => {
  const member = {
    instances: [{
      items: [
        item('member/0/member_name', 'text'),
        item('member/0/phone', 'repeat', {
          repeat: { instances: [
            { items: [item('member/0/phone/0/number', 'text', { constraint: 'string-length(.) >= 4' })] },
            { items: [item('member/0/phone/1/number', 'text', { constraint: 'string-length(.) >= 4' })] },
          ] },
        }),
      ],
    }],
  };
  const raw = { 'member/0/member_name': 'Ali', 'member/0/phone/0/number': '12', 'member/0/phone/1/number': '1234' };
  const outcome = checkRepeat(member, raw, new Scope({}), '2026-11-22');
  assert.deepEqual(outcome.errors, { 'member/0/phone/0/number': 'constraint' });
  assert.deepEqual(outcome.rows, [{ member_name: 'Ali', phone: [{ number: '12' }, { number: '1234' }] }]);
});

test('an instance knows its position', () => {
  const scope = new Scope({ a: 1 }, new Scope({ b: 2 }), 3);
  assert.equal(scope.get('a'), 1);
  assert.equal(scope.get('b'), 2);
  assert.equal(scope.position, 3);
});

test('pages skip screens with nothing shown', () => {
  assert.equal(nextScreen([true, false, true], 0, 1), 2);
  assert.equal(nextScreen([true, false, true], 2, -1), 0);
  assert.equal(nextScreen([true, false, false], 0, 1), 0);
});

test('outside a repeat, its questions are the lists of their values', async () => {
  const { validate } = await import('../../survey_app/static/js/validation.js');
  const questions = [
    { name: 'note_kids', type: 'text', parents: [], relevant: "${child_name} != ''", required: 'true()' },
  ];
  const withKids = validate(questions, {}, '2026-11-22', { child_age: [7, 3], child_name: ['Sara', 'Omid'] });
  assert.deepEqual(withKids.errors, { note_kids: 'required' });
  const without = validate(questions, {}, '2026-11-22', { child_age: [], child_name: [] });
  assert.deepEqual([...without.hidden], ['note_kids']);
  assert.equal(Object.hasOwn(without.answers, 'child_age'), false);
});
