// Send the outbox in batches: on page open, when the browser comes online, on a backoff
// timer while it keeps failing, and when the participant taps "Send now". Uses no cookies.

import { acknowledged, batches, classify, nextDelay } from './outbox.js';

export function createSync({ store, fetch, endpoint, source, timers, onChange = () => {} }) {
  let failures = 0;
  let timer = null;
  let running = null;
  let stopped = false;

  const schedule = () => {
    if (timer) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => { timer = null; syncNow(); }, nextDelay(failures));
  };

  async function sendBatch(entries) {
    const body = JSON.stringify({ source, submissions: entries.map((e) => e.record) });
    let response;
    try {
      response = await fetch(endpoint, {
        method: 'POST', body, credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      });
    } catch {
      return 'retry';
    }
    const verdict = classify(response.status);
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
    if (state === 'retry') {
      failures += 1;
      schedule();
    } else {
      failures = 0;
      stopped = state === 'stop';
    }
    onChange({ waiting, state, at: new Date() });
  }

  /** Start a sync unless one is running; `manual` also lifts a stop after a refusal. */
  function syncNow(manual = false) {
    if (!running) running = run(manual).finally(() => { running = null; });
    return running;
  }

  return { syncNow, get failures() { return failures; } };
}
