// Send the outbox in batches: on page open, when the browser comes online, on a backoff
// timer while it keeps failing, and when the participant taps "Send now". Uses no cookies.
// One record the server will not take never holds back the others: it is kept aside on the
// phone (still in "Save a copy for the organiser") and the rest are sent.

import { acknowledged, batches, classify, halves, nextDelay } from './outbox.js';

export function createSync({ store, fetch, endpoint, source, timers, onChange = () => {} }) {
  let failures = 0;
  let timer = null;
  let running = null;
  let stopped = false;

  const schedule = () => {
    if (timer) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => { timer = null; syncNow(); }, nextDelay(failures));
  };

  async function post(entries) {
    const body = JSON.stringify({ source, submissions: entries.map((e) => e.record) });
    try {
      return await fetch(endpoint, {
        method: 'POST', body, credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      });
    } catch {
      return null;
    }
  }

  /** Send entries; a refused batch is cut in halves until the refused record is alone, then kept aside. */
  async function sendBatch(entries) {
    const response = await post(entries);
    const verdict = response ? classify(response.status) : 'retry';
    if (verdict === 'refused') {
      if (entries.length > 1) {
        for (const half of halves(entries)) {
          const state = await sendBatch(half);
          if (state !== 'ok') return state;
        }
        return 'ok';
      }
      const answer = await response.json().catch(() => null);
      const reason = (answer && answer.message) || `HTTP ${response.status}`;
      await store.keepAside([{ uuid: entries[0].uuid, status: 'refused', errors: { request: reason } }]);
      return 'ok';
    }
    if (verdict !== 'ok') return verdict;
    const payload = await response.json().catch(() => null);
    await store.acknowledge(acknowledged(payload && payload.results, entries.map((e) => e.uuid)));
    return 'ok';
  }

  async function run(manual) {
    if (stopped && !manual) return;
    stopped = false;
    let state = 'ok';
    for (const batch of batches(await store.pending())) {
      state = await sendBatch(batch);
      if (state !== 'ok') break;
    }
    const waiting = (await store.pending()).length;
    const notAccepted = (await store.keptAside()).length;
    if (state === 'retry') {
      failures += 1;
      schedule();
    } else {
      failures = 0;
      stopped = state === 'stop';
    }
    onChange({ waiting, notAccepted, state, at: new Date() });
  }

  /** Start a sync unless one is running; `manual` also lifts a stop after a refusal. */
  function syncNow(manual = false) {
    if (!running) running = run(manual).finally(() => { running = null; });
    return running;
  }

  return { syncNow, get failures() { return failures; } };
}
