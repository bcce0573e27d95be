// The outbox policy and the sync loop, with a fake store, fetch and timers.
import assert from 'node:assert/strict';
import test from 'node:test';

import { acknowledged, batches, classify, MAX_DELAY_MS, nextDelay } from '../../survey_app/static/js/outbox.js';
import { makeUuid } from '../../survey_app/static/js/storage.js';
import { createSync } from '../../survey_app/static/js/sync.js';

function fakeStore(records) {
  const entries = new Map(records.map((r) => [r.uuid, { uuid: r.uuid, state: 'pending', record: r }]));
  return {
    entries,
    async pending() { return [...entries.values()].filter((e) => e.state === 'pending'); },
    async acknowledge(results) {
      for (const r of results) entries.get(r.uuid).state = 'acknowledged';
    },
  };
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
  assert.deepEqual([200, 0, 500, 503, 429, 401, 403, 400, 413].map(classify),
    ['ok', 'retry', 'retry', 'retry', 'retry', 'stop', 'stop', 'stop', 'stop']);
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
