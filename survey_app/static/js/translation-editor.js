// The translation editor page: each row saves itself as the translator works, a failed save
// stays marked "not saved" and is retried with backoff (its text kept in this browser until
// the server has it), and a conflict shows both texts. Without this module the page still
// saves every changed row with one plain POST.

import { nextDelay } from './outbox.js';

export const PAUSE_MS = 1000;

/**
 * Sort a save answer: 'saved', 'conflict', 'retry' (network, 5xx: try again later),
 * 'signed-out' (also retried, so signing in again in another tab is enough) or 'refused'
 * (bad input or an expired page: a person must act).
 */
export function verdict(status, redirected, payload) {
  if (redirected || status === 401 || status === 403) return 'signed-out';
  if (status === 200 && payload && typeof payload.revision === 'number') return 'saved';
  if (status === 409 && payload && payload.theirs) return 'conflict';
  if (status === 0 || status === 200 || status >= 500 || status === 408 || status === 429) return 'retry';
  return 'refused';
}

/** Wire one row: what the server holds, what is typed, and the save in between. */
export function createRow({ tr, fetch, timers, storage, csrf, msg, onSaved = () => {} }) {
  const area = tr.querySelector('textarea');
  const unsure = tr.querySelector('input[type=checkbox]');
  const conflictBox = tr.querySelector('.conflict');
  const confirmButton = tr.querySelector('[data-action=confirm]');
  const storeKey = `translation:${tr.dataset.url}`;
  const held = { text: area.value, unsure: unsure.checked, revision: Number(tr.dataset.revision) };
  let theirs = conflictBox.hidden ? null : { text: conflictBox.querySelector('.theirs').textContent, revision: held.revision };
  let failures = 0;
  let timer = null;
  let sending = false;
  let again = false;
  let confirming = false;

  const dirty = () => area.value !== held.text || unsure.checked !== held.unsure || confirming;
  const say = (text, kind) => { tr.querySelector('.save-state').textContent = text; tr.dataset.save = kind; };

  function remember() {
    try {
      storage.setItem(storeKey, JSON.stringify({ text: area.value, unsure: unsure.checked, revision: held.revision }));
    } catch { /* storage full or off: the row still shows "not saved" */ }
  }

  function forget() {
    try { storage.removeItem(storeKey); } catch { /* nothing kept */ }
  }

  function schedule(delay) {
    timers.clearTimeout(timer);
    timer = timers.setTimeout(() => { timer = null; save(); }, delay);
  }

  function showState(state) {
    tr.querySelector('.state').textContent = msg[state];
    tr.classList.remove('state-missing', 'state-review', 'state-done');
    tr.classList.add(`state-${state}`);
    if (confirmButton) confirmButton.hidden = state !== 'review';
  }

  function showConflict(stored) {
    theirs = stored;
    conflictBox.querySelector('.theirs').textContent = stored.text;
    conflictBox.hidden = false;
    say(msg.conflict, 'conflict');
  }

  function settle(choice) {
    held.text = theirs.text;
    held.revision = theirs.revision;
    tr.dataset.revision = String(theirs.revision);
    if (choice === 'theirs') area.value = theirs.text;
    theirs = null;
    conflictBox.hidden = true;
    if (choice === 'theirs' && !dirty()) {
      forget();
      say('', 'saved');
    } else if (choice === 'theirs') {
      remember();  // their text, with the doubt (or "still right") given meanwhile still to send
      save();
    } else {
      remember();  // overwriting was decided against their revision
      save();
    }
  }

  function handle(kind, body, payload) {
    if (kind === 'saved') {
      // Only the doubt was sent and someone else changed the text meanwhile: show theirs.
      if (!('text' in body) && area.value === held.text) area.value = payload.text;
      held.text = payload.text;
      held.revision = payload.revision;
      if ('unsure' in body) held.unsure = body.unsure;
      tr.dataset.revision = String(payload.revision);
      confirming = false;
      failures = 0;
      showState(payload.state);
      if (!dirty()) {
        forget();
        say(msg.saved, 'saved');
      } else {
        remember();  // typed meanwhile: keep it on the new revision, or a reload conflicts with itself
      }
      onSaved();
    } else if (kind === 'conflict') {
      showConflict(payload.theirs);
    } else if (kind === 'retry' || kind === 'signed-out') {
      failures += 1;
      say(kind === 'retry' ? msg.retrying : msg.signedOut, 'failed');
      schedule(nextDelay(failures));
    } else {
      say((payload && payload.message) || msg.expired, 'failed');
    }
    return kind;
  }

  async function send(body) {
    try {
      const response = await fetch(tr.dataset.url, {
        method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
      });
      const payload = await response.json().catch(() => null);
      return [verdict(response.status, response.redirected, payload), payload];
    } catch {
      return ['retry', null];
    }
  }

  /** Send what changed since the server last confirmed it; one request at a time per row. */
  async function save() {
    timers.clearTimeout(timer);
    timer = null;
    if (theirs) return;
    if (!dirty()) {
      if (!sending && tr.dataset.save && tr.dataset.save !== 'saved') {  // typed back to what is stored
        forget();
        say(msg.saved, 'saved');
      }
      return;
    }
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    const body = { revision: held.revision };
    if (area.value !== held.text) body.text = area.value;
    if (unsure.checked !== held.unsure || confirming) body.unsure = unsure.checked;
    say(msg.saving, 'saving');
    const [kind, payload] = await send(body);
    sending = false;
    handle(kind, body, payload);
    if (again && kind === 'saved') save();
    again = false;
  }

  function restore() {
    let kept = null;
    try { kept = JSON.parse(storage.getItem(storeKey) || 'null'); } catch { kept = null; }
    if (!kept || (kept.text === area.value && kept.unsure === unsure.checked)) {
      forget();
      return;
    }
    area.value = kept.text;
    unsure.checked = kept.unsure;
    held.revision = kept.revision;  // the copy the kept text was typed on, so conflicts still show
    say(msg.unsaved, 'failed');
    schedule(0);
  }

  area.addEventListener('input', () => {
    remember();
    if (theirs) return;
    say(msg.unsaved, 'dirty');
    schedule(PAUSE_MS);
  });
  area.addEventListener('focusout', () => save());
  unsure.addEventListener('change', () => { remember(); save(); });
  tr.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (!action) return;
    event.preventDefault();
    if (action === 'keep-theirs') settle('theirs');
    if (action === 'overwrite') settle('mine');
    if (action === 'confirm') {
      confirming = true;
      unsure.checked = false;
      save();
    }
  });
  restore();

  return {
    save,
    retryNow() { if (failures > 0) save(); },
    unsaved() { return dirty() || theirs !== null; },
  };
}

/** The browser's localStorage, or a stand-in that keeps nothing where it is switched off. */
function localStorage(win) {
  try {
    if (win.localStorage) return win.localStorage;
  } catch { /* blocked by the browser's settings */ }
  return { getItem: () => null, setItem() {}, removeItem() {} };
}

/** Start the editor page: one controller per row, the preview kept fresh, nothing left behind. */
export function start(doc, win) {
  const form = doc.getElementById('translation-editor');
  if (!form) return;
  const d = form.dataset;
  const msg = {
    saving: d.msgSaving, saved: d.msgSaved, unsaved: d.msgUnsaved, retrying: d.msgRetrying,
    signedOut: d.msgSignedOut, expired: d.msgExpired, conflict: d.msgConflict,
    missing: d.msgMissing, review: d.msgReview, done: d.msgDone,
  };
  const frame = doc.getElementById('preview-frame');
  let reload = null;
  const onSaved = () => {
    if (!frame) return;
    win.clearTimeout(reload);
    reload = win.setTimeout(() => frame.contentWindow?.location.reload(), 800);
  };
  const storage = localStorage(win);
  const rows = Array.from(form.querySelectorAll('tr[data-url]'), (tr) => createRow({
    tr, fetch: (...args) => win.fetch(...args), timers: win, storage, csrf: d.csrf, msg, onSaved,
  }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    rows.forEach((row) => row.save());
  });
  win.addEventListener('online', () => rows.forEach((row) => row.retryNow()));
  win.addEventListener('beforeunload', (event) => {
    if (rows.some((row) => row.unsaved())) event.preventDefault();
  });
}

if (typeof document !== 'undefined') start(document, window);
