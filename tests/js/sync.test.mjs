// The outbox policy and the sync loop, with a fake store, fetch and timers.
import assert from 'node:assert/strict';
import test from 'node:test';

import {
  acknowledged, batches, classify, halves, MAX_DELAY_MS, nextDelay,
} from '../../survey_app/static/js/outbox.js';
import { makeUuid, upgrade } from '../../survey_app/static/js/storage.js';
import { createSync } from '../../survey_app/static/js/sync.js';

/** The Store's contract as sync.js uses it: a record the server did not accept leaves the outbox for 'kept'. */
function fakeStore(records) {
  const entries = new Map(records.map((r) => [r.uuid, { uuid: r.uuid, state: 'pending', record: r }]));
  const kept = new Map();
  const store = {
    entries,
    kept,
    async pending() { return [...entries.values()].filter((e) => e.state === 'pending'); },
    async acknowledge(results) {
      for (const r of results) entries.get(r.uuid).state = 'acknowledged';
      await store.keepAside(results.filter((r) => r.status === 'rejected'));
    },
    async keepAside(results) {
      for (const r of results) {
        kept.set(r.uuid, { ...entries.get(r.uuid), state: 'kept', status: r.status, errors: r.errors });
        entries.delete(r.uuid);
      }
    },
    async keptAside() { return [...kept.values()]; },
  };
  return store;
}

function fakeTimers() {
  const scheduled = [];
  return { scheduled, setTimeout(fn, ms) { scheduled.push(ms); return scheduled.length; }, clearTimeout() {} };
}

const record = (n) => ({ uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, answers: {} });
const reply = (status, body) => ({ status, json: async () => body });
const storedAll = (init) => ({ results: JSON.parse(init.body).submissions.map((s) => ({ uuid: s.uuid, status: 'stored' })) });

test('backoff grows, has jitter and is capped at a few minutes', () => {
  assert.equal(nextDelay(1, () => 0), 2500);
  assert.equal(nextDelay(1, () => 1), 5000);
  assert.ok(nextDelay(3, () => 1) > nextDelay(2, () => 1));
  assert.equal(nextDelay(50, () => 1), MAX_DELAY_MS);
});

test('server answers are classified as ok, retry or stop', () => {
  assert.deepEqual([200, 0, 500, 503, 429, 401, 403, 404, 400, 413, 422].map(classify),
    ['ok', 'retry', 'retry', 'retry', 'retry', 'stop', 'stop', 'stop', 'refused', 'refused', 'refused']);
});

test('only records that were sent and got a known status are acknowledged', () => {
  const results = [{ uuid: 'a', status: 'stored' }, { uuid: 'b', status: 'rejected' }, { uuid: 'x', status: 'stored' },
    { uuid: 'c', status: 'weird' }];
  assert.deepEqual(acknowledged(results, ['a', 'b', 'c']).map((r) => r.uuid), ['a', 'b']);
});

test('batches cut the outbox in order', () => {
  assert.deepEqual(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
});

test('uuids are v4 even without crypto.randomUUID (plain HTTP)', () => {
  const crypto = { getRandomValues: (a) => a.fill(255) };
  assert.match(makeUuid(crypto), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('a successful sync acknowledges everything and sends no cookies', async () => {
  const store = fakeStore([1, 2, 3].map(record));
  const calls = [];
  const sync = createSync({
    store, endpoint: '/api/v1/sync', source: 'phone-1', timers: fakeTimers(),
    fetch: async (url, init) => { calls.push(init); return reply(200, storedAll(init)); },
  });
  await sync.syncNow();
  assert.equal((await store.pending()).length, 0);
  assert.equal(calls[0].credentials, 'omit');
  assert.equal(JSON.parse(calls[0].body).source, 'phone-1');
});

test('network failure keeps records and schedules a growing retry', async () => {
  const store = fakeStore([record(1)]);
  const timers = fakeTimers();
  const sync = createSync({ store, endpoint: '/s', source: 'p', timers, fetch: async () => { throw new TypeError('offline'); } });
  await sync.syncNow();
  await sync.syncNow();
  assert.equal((await store.pending()).length, 1);
  assert.equal(sync.failures, 2);
  assert.equal(timers.scheduled.length, 2);
});

test('a refusal (401) stops automatic retries until the participant asks', async () => {
  const store = fakeStore([record(1)]);
  const timers = fakeTimers();
  let calls = 0;
  const states = [];
  const sync = createSync({
    store, endpoint: '/s', source: 'p', timers, onChange: (s) => states.push(s.state),
    fetch: async () => { calls += 1; return reply(401, { error: 'bad_token' }); },
  });
  await sync.syncNow();
  await sync.syncNow();
  assert.equal(calls, 1);
  assert.equal(timers.scheduled.length, 0);
  await sync.syncNow(true);
  assert.equal(calls, 2);
  assert.deepEqual(states, ['stop', 'stop']);
});

test('a record the server rejected is acknowledged, the others too, nothing blocks', async () => {
  const store = fakeStore([record(1), record(2)]);
  const sync = createSync({
    store, endpoint: '/s', source: 'p', timers: fakeTimers(),
    fetch: async (url, init) => reply(200, { results: JSON.parse(init.body).submissions.map((s, i) => ({
      uuid: s.uuid, status: i === 0 ? 'rejected' : 'stored', errors: {} })) }),
  });
  await sync.syncNow();
  assert.equal((await store.pending()).length, 0);
});

test('halves cut a batch in two, the first half the larger', () => {
  assert.deepEqual(halves([1, 2, 3, 4, 5]), [[1, 2, 3], [4, 5]]);
  assert.deepEqual(halves([1, 2]), [[1], [2]]);
});

/** An older server: a whole batch is refused (400) when any record in it holds a NUL. */
function olderServer(calls) {
  return async (url, init) => {
    const sent = JSON.parse(init.body).submissions;
    calls.push(sent.length);
    if (sent.some((s) => JSON.stringify(s).includes('\\u0000'))) {
      return reply(400, { error: 'bad_json', message: 'text must not contain U+0000 (NUL)' });
    }
    return reply(200, { results: sent.map((s) => ({ uuid: s.uuid, status: 'stored' })) });
  };
}

test('a batch refused whole is cut until the refused record is alone; it is kept aside, the others go', async () => {
  const records = Array.from({ length: 20 }, (_, n) => record(n));
  records[7].answers = { comments: 'a\u0000b' };
  const store = fakeStore(records);
  const calls = [];
  const changes = [];
  const sync = createSync({ store, endpoint: '/s', source: 'p', timers: fakeTimers(), fetch: olderServer(calls),
    onChange: (change) => changes.push(change) });
  await sync.syncNow();
  assert.equal((await store.pending()).length, 0);
  assert.deepEqual([...store.kept.keys()], [records[7].uuid]);
  assert.equal(store.kept.get(records[7].uuid).status, 'refused');
  assert.match(store.kept.get(records[7].uuid).errors.request, /NUL/);
  assert.equal([...store.entries.values()].filter((e) => e.state === 'acknowledged').length, 19);
  assert.ok(calls.length < 20, 'cut in halves, not sent one by one');
  assert.deepEqual(changes.map(({ waiting, notAccepted, state }) => ({ waiting, notAccepted, state })),
    [{ waiting: 0, notAccepted: 1, state: 'ok' }]);
});

test('on a shared phone, clean answers queued after a refused one are sent, also on the next page open', async () => {
  const bad = { ...record(1), answers: { comments: '\u0000' } };
  const store = fakeStore([bad]);
  const calls = [];
  await createSync({ store, endpoint: '/s', source: 'p', timers: fakeTimers(), fetch: olderServer(calls) }).syncNow();
  for (const clean of [record(2), record(3)]) store.entries.set(clean.uuid, { uuid: clean.uuid, state: 'pending', record: clean });
  await createSync({ store, endpoint: '/s', source: 'p', timers: fakeTimers(), fetch: olderServer(calls) }).syncNow();
  assert.equal((await store.pending()).length, 0);
  assert.equal((await store.keptAside()).length, 1);
  assert.deepEqual(calls, [1, 2]);
});

test('a record the server rejected (kept in its quarantine) is kept aside on the phone too', async () => {
  const store = fakeStore([record(1), record(2)]);
  const sync = createSync({
    store, endpoint: '/s', source: 'p', timers: fakeTimers(),
    fetch: async (url, init) => reply(200, { results: JSON.parse(init.body).submissions.map((s, i) => ({
      uuid: s.uuid, status: i === 0 ? 'rejected' : 'stored', errors: { uuid: 'missing or not a UUID' } })) }),
  });
  await sync.syncNow();
  assert.deepEqual([...store.kept.keys()], [record(1).uuid]);
  assert.equal(store.kept.get(record(1).uuid).status, 'rejected');
});

test('the schema ladder adds the kept-aside store to an old database and drops nothing', () => {
  const made = [];
  const db = {
    createObjectStore(name) { made.push(name); return { createIndex() {} }; },
    deleteObjectStore(name) { throw new Error(`dropped ${name}`); },
  };
  upgrade(db, 1);
  assert.deepEqual(made, ['kept']);
  made.length = 0;
  upgrade(db, 0);
  assert.deepEqual(made, ['drafts', 'outbox', 'meta', 'kept']);
  made.length = 0;
  upgrade(db, 2);
  assert.deepEqual(made, []);
});
