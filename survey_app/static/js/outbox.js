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

/**
 * Classify a server answer: 'ok' (results to acknowledge), 'retry' (network, 5xx, 408, 429:
 * try again later) or 'stop' (401, 403 and other 4xx: retrying alone will not help).
 */
export function classify(status) {
  if (status === 200) return 'ok';
  if (status === 0 || status >= 500 || status === 408 || status === 429) return 'retry';
  return 'stop';
}

/** Results the server owns now: every listed status means it stored or kept the record. */
export function acknowledged(results, sentUuids) {
  const sent = new Set(sentUuids);
  return (results || []).filter((r) => r && sent.has(r.uuid)
    && ['stored', 'duplicate', 'conflict', 'rejected'].includes(r.status));
}
