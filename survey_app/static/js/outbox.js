// Outbox policy: when to retry, how to cut batches, what a server answer means.
// Pure functions, checked by node --test.

export const BATCH_SIZE = 50;
export const BASE_DELAY_MS = 5000;
export const MAX_DELAY_MS = 4 * 60 * 1000;

/** Exponential backoff with full jitter, capped at a few minutes. */
export function nextDelay(failures, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function batches(records, size = BATCH_SIZE) {
  const out = [];
  for (let i = 0; i < records.length; i += size) out.push(records.slice(i, i + size));
  return out;
}

/** Cut a batch in two, so that a record the server refuses ends up alone and the others go on. */
export function halves(entries) {
  const middle = Math.ceil(entries.length / 2);
  return [entries.slice(0, middle), entries.slice(middle)];
}

/**
 * Classify a server answer: 'ok' (results to acknowledge), 'retry' (network, 5xx, 408, 429:
 * try again later), 'refused' (400, 413, 422: something in the batch is refused; an older server
 * refuses a whole batch for one record, so it is cut until that record is alone) or 'stop'
 * (401, 403 and other 4xx: retrying alone will not help).
 */
export function classify(status) {
  if (status === 200) return 'ok';
  if (status === 0 || status >= 500 || status === 408 || status === 429) return 'retry';
  if (status === 400 || status === 413 || status === 422) return 'refused';
  return 'stop';
}

/** Results the server owns now: every listed status means it stored or kept the record. */
export function acknowledged(results, sentUuids) {
  const sent = new Set(sentUuids);
  return (results || []).filter((r) => r && sent.has(r.uuid)
    && ['stored', 'duplicate', 'conflict', 'rejected'].includes(r.status));
}
