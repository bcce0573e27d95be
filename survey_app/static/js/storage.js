// The only module that touches IndexedDB: drafts, the outbox, answers kept aside and a little
// metadata; and the UUIDs records are kept under (here, not with sending, which the page loads later).
// Schema upgrades form a ladder on oldVersion and never drop data.

export const DB_NAME = 'survey';
export const DB_VERSION = 2;

export function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore('drafts', { keyPath: 'key' });
    db.createObjectStore('outbox', { keyPath: 'uuid' }).createIndex('state', 'state');
    db.createObjectStore('meta', { keyPath: 'key' });
  }
  // Answers the server did not accept, moved out of the outbox so they hold back nothing.
  if (oldVersion < 2) db.createObjectStore('kept', { keyPath: 'uuid' });
}

const promised = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

/** A random v4 UUID that also works on plain HTTP, where crypto.randomUUID is missing. */
export function makeUuid(crypto) {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Open the store; rejects where IndexedDB is missing or refused (some private modes). */
export async function openStore(indexedDB) {
  if (!indexedDB) throw new Error('IndexedDB is not available');
  const request = indexedDB.open(DB_NAME, DB_VERSION);
  request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
  const db = await promised(request);
  return new Store(db);
}

export class Store {
  constructor(db) { this.db = db; }

  async get(storeName, key) {
    return promised(this.db.transaction(storeName).objectStore(storeName).get(key));
  }

  async put(storeName, value) {
    const tx = this.db.transaction(storeName, 'readwrite');
    tx.objectStore(storeName).put(value);
    return done(tx);
  }

  async remove(storeName, key) {
    const tx = this.db.transaction(storeName, 'readwrite');
    tx.objectStore(storeName).delete(key);
    return done(tx);
  }

  async byState(state) {
    const index = this.db.transaction('outbox').objectStore('outbox').index('state');
    return promised(index.getAll(state));
  }

  async all(storeName) {
    return promised(this.db.transaction(storeName).objectStore(storeName).getAll());
  }

  /** Return this phone's source id, making one the first time. */
  async sourceId(makeId) {
    const found = await this.get('meta', 'source');
    if (found) return found.value;
    const value = `phone-${makeId()}`;
    await this.put('meta', { key: 'source', value });
    return value;
  }

  saveDraft(draft) { return this.put('drafts', draft); }

  getDraft(key) { return this.get('drafts', key); }

  deleteDraft(key) { return this.remove('drafts', key); }

  /** Move a finished record to the outbox and drop its draft, in one transaction. */
  async enqueue(record, draftKey) {
    const tx = this.db.transaction(['outbox', 'drafts'], 'readwrite');
    tx.objectStore('outbox').put({ uuid: record.uuid, state: 'pending', record, queuedAt: Date.now() });
    if (draftKey) tx.objectStore('drafts').delete(draftKey);
    return done(tx);
  }

  pending() { return this.byState('pending'); }

  /** Mark records the server acknowledged; they stay until the phone is cleared. Those it did not accept are kept aside. */
  async acknowledge(results) {
    const tx = this.db.transaction('outbox', 'readwrite');
    const outbox = tx.objectStore('outbox');
    for (const { uuid, status, errors } of results) {
      const entry = await promised(outbox.get(uuid));
      if (entry) outbox.put({ ...entry, state: 'acknowledged', status, errors, ackedAt: Date.now() });
    }
    await done(tx);
    const refused = results.filter((r) => r.status === 'rejected');  // in the server's quarantine
    if (refused.length) await this.keepAside(refused);
  }

  /**
   * Move records the server did not accept out of the outbox, with its reasons, in one transaction.
   * status 'rejected': the server keeps them in its quarantine too; 'refused': only this phone has them.
   */
  async keepAside(results) {
    const tx = this.db.transaction(['outbox', 'kept'], 'readwrite');
    const outbox = tx.objectStore('outbox');
    for (const { uuid, status, errors } of results) {
      const entry = await promised(outbox.get(uuid));
      if (!entry) continue;
      tx.objectStore('kept').put({ ...entry, state: 'kept', status, errors, keptAt: Date.now() });
      outbox.delete(uuid);
    }
    return done(tx);
  }

  /** Answers the server did not accept, kept on this phone. */
  keptAside() { return this.all('kept'); }

  /** Everything not safely on a server: what waits to be sent, and what it did not accept ("Save a copy for the organiser"). */
  async unsent() {
    return [...await this.pending(), ...await this.keptAside()];
  }

  /** Remove acknowledged records and drafts; refuses while anything is still waiting or only this phone holds it. */
  async clear() {
    if ((await this.pending()).length) return false;
    if ((await this.keptAside()).some((entry) => entry.status !== 'rejected')) return false;
    const tx = this.db.transaction(['outbox', 'drafts', 'kept'], 'readwrite');
    tx.objectStore('outbox').clear();
    tx.objectStore('drafts').clear();
    tx.objectStore('kept').clear();
    await done(tx);
    return true;
  }
}
