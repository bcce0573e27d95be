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

// Photos' base64 per request: the server takes 8 MiB, so a few pictures make a batch (one larger record goes alone).
export const BATCH_BYTES = 3 * 1024 * 1024;

/** The bytes an outbox entry's files weigh in a request (most entries: none). */
export const weight = (entry) => (entry?.record?.attachments || []).reduce((sum, file) => sum + (file.data?.length || 0), 0);

/** Cut the outbox in order into batches of at most `size` entries and `maxBytes` of files. */
export function batches(entries, size = BATCH_SIZE, maxBytes = BATCH_BYTES) {
  const out = [];
  let current = [];
  let bytes = 0;
  for (const entry of entries) {
    const heavy = weight(entry);
    if (current.length && (current.length >= size || bytes + heavy > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += heavy;
  }
  if (current.length) out.push(current);
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
