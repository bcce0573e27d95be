// The translation editor's rows, with a small fake of one table row (as in
// templates/translators/_row.html), a fake server, fake timers and a fake localStorage.
import assert from 'node:assert/strict';
import test from 'node:test';

import { createRow, PAUSE_MS, verdict } from '../../survey_app/static/js/translation-editor.js';

const URL = '/translate/feedback/fa/texts/q1.label';
const KEY = `translation:${URL}`;
const CSRF = 'token-123';
// The messages come from the form's data-msg-* attributes in editor.html.
const MSG = {
  saving: 'Saving…', saved: 'Saved', unsaved: 'Not saved yet', retrying: 'Not saved: no connection',
  signedOut: 'Not saved: signed out', expired: 'Not saved: expired', conflict: 'Someone else changed this.',
  missing: 'Missing', review: 'Needs review', done: 'Done',
};

/** Just enough of an element: listeners, dataset, hidden, text, and the selectors createRow uses. */
class Element {
  constructor(props = {}) {
    Object.assign(this, { dataset: {}, hidden: false, textContent: '', value: '', checked: false }, props);
    this.listeners = {};
    this.children = {};
  }

  addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }

  dispatch(type, event = {}) {
    const full = { target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...event };
    for (const fn of this.listeners[type] || []) fn(full);
    return full;
  }

  querySelector(selector) { return this.children[selector] ?? null; }

  closest(selector) {
    if (selector === '[data-action]') return 'action' in this.dataset ? this : (this.parent?.closest(selector) ?? null);
    throw new Error(`fake closest() does not know ${selector}`);
  }
}

function classList(initial) {
  const set = new Set(initial);
  return {
    add: (...names) => names.forEach((n) => set.add(n)),
    remove: (...names) => names.forEach((n) => set.delete(n)),
    contains: (name) => set.has(name),
  };
}

/** One row of the translation table, as the server renders it. */
function fakeRow({ text = 'Khosh amadid', revision = 3, unsure = false, state = 'done', theirsText = null } = {}) {
  const tr = new Element({ dataset: { key: 'q1.label', revision: String(revision), url: URL } });
  tr.classList = classList(['translation-row', `state-${state}`]);
  const textarea = new Element({ value: text, parent: tr });
  const checkbox = new Element({ checked: unsure, parent: tr });
  const theirs = new Element({ textContent: theirsText ?? '' });
  const conflict = new Element({ hidden: theirsText === null, parent: tr });
  conflict.children['.theirs'] = theirs;
  const keepTheirs = new Element({ dataset: { action: 'keep-theirs' }, parent: conflict });
  const overwrite = new Element({ dataset: { action: 'overwrite' }, parent: conflict });
  const confirm = new Element({ dataset: { action: 'confirm' }, hidden: state !== 'review', parent: tr });
  const stateName = new Element({ textContent: MSG[state], parent: tr });
  const saveState = new Element({ parent: tr });
  const cell = new Element({ parent: tr });  // a click on no button at all
  Object.assign(tr.children, {
    textarea, 'input[type=checkbox]': checkbox, '.conflict': conflict, '.theirs': theirs,
    '[data-action=confirm]': confirm, '.save-state': saveState, '.state': stateName,
  });
  const click = (target) => tr.dispatch('click', { target });
  return { tr, textarea, checkbox, conflict, theirs, keepTheirs, overwrite, confirm, stateName, saveState, cell, click };
}

/** Timers that only run when the test says so. */
function fakeTimers() {
  const pending = new Map();
  let next = 0;
  return {
    pending,
    delays: () => [...pending.values()].map((t) => t.ms),
    setTimeout(fn, ms) { next += 1; pending.set(next, { fn, ms }); return next; },
    clearTimeout(id) { pending.delete(id); },
    runAll() {
      const due = [...pending.values()];
      pending.clear();
      due.forEach((t) => t.fn());
    },
  };
}

function fakeStorage(entries = {}) {
  const map = new Map(Object.entries(entries));
  return {
    map,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => { map.set(k, String(v)); },
    removeItem: (k) => { map.delete(k); },
    kept: () => (map.has(KEY) ? JSON.parse(map.get(KEY)) : null),
  };
}

/** A server whose answers the test gives one request at a time. */
function fakeServer() {
  const requests = [];
  let open = 0;
  const server = {
    requests,
    mostAtOnce: 0,
    fetch(url, init) {
      open += 1;
      server.mostAtOnce = Math.max(server.mostAtOnce, open);
      return new Promise((resolve, reject) => {
        const done = () => { open -= 1; };
        requests.push({
          url, init, body: JSON.parse(init.body),
          reply(status, payload, { redirected = false } = {}) {
            done();
            resolve({ status, redirected, json: async () => payload });
          },
          fail() { done(); reject(new TypeError('Failed to fetch')); },
        });
      });
    },
    last: () => requests[requests.length - 1],
  };
  return server;
}

/** Let the row's awaits (fetch, response.json) finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup(rowOptions = {}, stored = {}) {
  const row = fakeRow(rowOptions);
  const timers = fakeTimers();
  const storage = fakeStorage(stored);
  const server = fakeServer();
  let saves = 0;
  const controller = createRow({
    tr: row.tr, fetch: server.fetch, timers, storage, csrf: CSRF, msg: MSG, onSaved: () => { saves += 1; },
  });
  return { ...row, row: controller, timers, storage, server, saves: () => saves };
}

function type(t, text) {
  t.textarea.value = text;
  t.textarea.dispatch('input');
}

const saved = (text, revision, state = 'done', unsure = false) => ({ text, revision, state, unsure });

/** Type "Mine", let it be sent, and have the server answer that someone else stored "Theirs" (revision 7). */
async function conflictOver(t) {
  type(t, 'Mine');
  t.timers.runAll();
  t.server.last().reply(409, { error: 'conflict', mine: { text: 'Mine' }, theirs: { text: 'Theirs', revision: 7 } });
  await settle();
}

test('verdict sorts save answers', () => {
  assert.equal(verdict(200, false, { revision: 4 }), 'saved');
  assert.equal(verdict(200, false, { revision: '4' }), 'retry');  // not our JSON: a portal page or a proxy
  assert.equal(verdict(200, false, null), 'retry');
  assert.equal(verdict(200, true, { revision: 4 }), 'signed-out');  // redirected to the sign-in page
  assert.equal(verdict(401, false, null), 'signed-out');
  assert.equal(verdict(403, false, null), 'signed-out');
  assert.equal(verdict(409, false, { theirs: { text: 'x', revision: 5 } }), 'conflict');
  assert.equal(verdict(409, false, {}), 'refused');
  assert.deepEqual([0, 408, 429, 500, 502, 503].map((s) => verdict(s, false, null)),
    ['retry', 'retry', 'retry', 'retry', 'retry', 'retry']);
  assert.deepEqual([400, 404, 413].map((s) => verdict(s, false, { message: 'no' })), ['refused', 'refused', 'refused']);
});

test('typing then a pause sends one POST with the revision, the text and the CSRF header', async () => {
  const t = setup();
  type(t, 'S');
  type(t, 'Sa');
  type(t, 'Sal');
  assert.equal(t.server.requests.length, 0, 'nothing is sent while the translator types');
  assert.deepEqual(t.timers.delays(), [PAUSE_MS], 'each keystroke replaces the pause timer');
  assert.equal(t.tr.dataset.save, 'dirty');
  assert.equal(t.saveState.textContent, MSG.unsaved);
  assert.deepEqual(t.storage.kept(), { text: 'Sal', unsure: false, revision: 3 });

  t.timers.runAll();
  assert.equal(t.server.requests.length, 1);
  const request = t.server.last();
  assert.equal(request.url, URL);
  assert.equal(request.init.method, 'POST');
  assert.equal(request.init.credentials, 'same-origin');
  assert.equal(request.init.headers['X-CSRFToken'], CSRF);
  assert.equal(request.init.headers['Content-Type'], 'application/json');
  assert.deepEqual(request.body, { revision: 3, text: 'Sal' });
  assert.equal(t.tr.dataset.save, 'saving');
  assert.equal(t.saveState.textContent, MSG.saving);

  request.reply(200, saved('Sal', 4));
  await settle();
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.saveState.textContent, MSG.saved);
  assert.equal(t.tr.dataset.revision, '4');
  assert.equal(t.storage.kept(), null, 'the browser copy is dropped once the server has the text');
  assert.equal(t.saves(), 1, 'the preview is told to reload');
  assert.equal(t.row.unsaved(), false);
  assert.equal(t.timers.pending.size, 0);
  assert.equal(t.server.requests.length, 1);
});

test('leaving the box saves at once; typing back to the stored text is no change', async () => {
  const t = setup();
  type(t, 'Salaam');
  t.textarea.dispatch('focusout');
  assert.equal(t.timers.pending.size, 0, 'the pause timer is cancelled');
  assert.deepEqual(t.server.last().body, { revision: 3, text: 'Salaam' });
  t.server.last().reply(200, saved('Salaam', 4));
  await settle();

  type(t, 'Salaam!');
  type(t, 'Salaam');
  t.timers.runAll();
  assert.equal(t.server.requests.length, 1);
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.storage.kept(), null);
});

test('a network failure marks the row failed, keeps the text and retries later and later', async () => {
  const t = setup();
  type(t, 'Salam dost');
  t.timers.runAll();
  t.server.last().fail();
  await settle();
  assert.equal(t.tr.dataset.save, 'failed');
  assert.equal(t.saveState.textContent, MSG.retrying);
  assert.deepEqual(t.storage.kept(), { text: 'Salam dost', unsure: false, revision: 3 });
  assert.equal(t.row.unsaved(), true);
  const [first] = t.timers.delays();
  assert.ok(first >= 2500 && first <= 5000, `first retry after ${first} ms`);

  t.timers.runAll();
  assert.equal(t.server.requests.length, 2);
  assert.deepEqual(t.server.last().body, { revision: 3, text: 'Salam dost' });
  t.server.last().reply(503, null);
  await settle();
  const [second] = t.timers.delays();
  assert.ok(second >= 5000 && second <= 10000, `second retry after ${second} ms`);
  assert.ok(second > first);
  assert.equal(t.tr.dataset.save, 'failed');
  assert.deepEqual(t.storage.kept(), { text: 'Salam dost', unsure: false, revision: 3 });
  assert.equal(t.saves(), 0);
});

test('a retry that gets through ends in saved', async () => {
  const t = setup();
  type(t, 'Salam dost');
  t.timers.runAll();
  t.server.last().fail();
  await settle();
  t.timers.runAll();
  t.server.last().reply(200, saved('Salam dost', 4));
  await settle();
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.storage.kept(), null);
  assert.equal(t.timers.pending.size, 0, 'no retry is left scheduled');
  assert.equal(t.row.unsaved(), false);

  type(t, 'Salam dost!');
  t.timers.runAll();
  t.server.last().fail();
  await settle();
  const [delay] = t.timers.delays();
  assert.ok(delay <= 5000, `the backoff starts again from the shortest delay, not ${delay} ms`);
});

test('signed out: the text is kept and the save retried, so signing in elsewhere is enough', async () => {
  const t = setup();
  type(t, 'Salam dost');
  t.timers.runAll();
  t.server.last().reply(200, '<html>sign in</html>', { redirected: true });
  await settle();
  assert.equal(t.saveState.textContent, MSG.signedOut);
  assert.equal(t.tr.dataset.save, 'failed');
  assert.equal(t.timers.pending.size, 1);
  assert.deepEqual(t.storage.kept(), { text: 'Salam dost', unsure: false, revision: 3 });
});

test('a refused save waits for a person and shows the server message', async () => {
  const t = setup();
  type(t, 'x'.repeat(10));
  t.timers.runAll();
  t.server.last().reply(400, { message: 'This text is too long.' });
  await settle();
  assert.equal(t.saveState.textContent, 'This text is too long.');
  assert.equal(t.tr.dataset.save, 'failed');
  assert.equal(t.timers.pending.size, 0, 'no automatic retry');
  assert.equal(t.row.unsaved(), true);
});

test('typing during a save sends a second request after the first, never two at once', async () => {
  const t = setup();
  type(t, 'Sal');
  t.timers.runAll();
  type(t, 'Salam');
  t.timers.runAll();
  assert.equal(t.server.requests.length, 1, 'the second save waits for the first');
  assert.deepEqual(t.storage.kept()?.text, 'Salam');

  t.server.requests[0].reply(200, saved('Sal', 4));
  await settle();
  assert.equal(t.server.requests.length, 2);
  assert.deepEqual(t.server.requests[1].body, { revision: 4, text: 'Salam' }, 'sent on the revision just saved');
  assert.notEqual(t.tr.dataset.save, 'saved', 'not saved while the newer text is on its way');
  assert.equal(t.row.unsaved(), true);

  t.server.requests[1].reply(200, saved('Salam', 5));
  await settle();
  assert.equal(t.server.mostAtOnce, 1);
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.tr.dataset.revision, '5');
  assert.equal(t.storage.kept(), null);
  assert.equal(t.row.unsaved(), false);
});

test('text typed during a save and then not saved is kept with the newer revision', async () => {
  const t = setup();
  type(t, 'Sal');
  t.timers.runAll();
  type(t, 'Salam');
  t.server.requests[0].reply(200, saved('Sal', 4));
  await settle();
  t.timers.runAll();
  t.server.requests[1].fail();
  await settle();
  assert.deepEqual(t.storage.kept(), { text: 'Salam', unsure: false, revision: 4 });

  // Reload: the server shows revision 4; the kept text must not conflict with the translator's own save.
  const again = setup({ text: 'Sal', revision: 4 }, Object.fromEntries(t.storage.map));
  again.timers.runAll();
  assert.deepEqual(again.server.last().body, { revision: 4, text: 'Salam' });
});

test('a conflict shows their text; "keep theirs" takes it and sends nothing', async () => {
  const t = setup();
  await conflictOver(t);
  assert.equal(t.conflict.hidden, false);
  assert.equal(t.theirs.textContent, 'Theirs');
  assert.equal(t.tr.dataset.save, 'conflict');
  assert.equal(t.saveState.textContent, MSG.conflict);
  assert.equal(t.textarea.value, 'Mine', 'the box keeps what the translator typed');
  assert.equal(t.row.unsaved(), true);

  type(t, 'Mine, edited');
  assert.equal(t.timers.pending.size, 0);
  assert.equal(t.tr.dataset.save, 'conflict', 'the row still says there is a conflict');
  assert.equal(t.storage.kept()?.text, 'Mine, edited');
  t.textarea.dispatch('focusout');
  t.timers.runAll();
  assert.equal(t.server.requests.length, 1, 'nothing is sent until the translator chooses');

  const event = t.click(t.keepTheirs);
  assert.equal(event.defaultPrevented, true, 'the button does not submit the whole form');
  assert.equal(t.textarea.value, 'Theirs');
  assert.equal(t.conflict.hidden, true);
  assert.equal(t.tr.dataset.revision, '7');
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.storage.kept(), null);
  assert.equal(t.row.unsaved(), false);
  assert.equal(t.server.requests.length, 1);
});

test('"keep theirs" after ticking "unsure" during the conflict sends the doubt on their text', async () => {
  const t = setup();
  await conflictOver(t);
  t.checkbox.checked = true;
  t.checkbox.dispatch('change');
  assert.equal(t.server.requests.length, 1, 'nothing is sent while the conflict is open');

  t.click(t.keepTheirs);
  assert.equal(t.textarea.value, 'Theirs');
  assert.equal(t.server.requests.length, 2);
  assert.deepEqual(t.server.last().body, { revision: 7, unsure: true });
  t.server.last().reply(200, saved('Theirs', 8, 'review', true));
  await settle();
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.row.unsaved(), false);
  assert.equal(t.storage.kept(), null);
});

test('a conflict; "overwrite" sends my text on their newer revision', async () => {
  const t = setup();
  await conflictOver(t);

  t.click(t.overwrite);
  assert.equal(t.conflict.hidden, true);
  assert.equal(t.server.requests.length, 2);
  assert.deepEqual(t.server.last().body, { revision: 7, text: 'Mine' });
  assert.equal(t.textarea.value, 'Mine');
  t.server.last().reply(200, saved('Mine', 8));
  await settle();
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.tr.dataset.revision, '8');
  assert.equal(t.storage.kept(), null);
  assert.equal(t.row.unsaved(), false);
});

test('an overwrite that does not get through is kept on their revision, so a reload does not ask again', async () => {
  const t = setup();
  await conflictOver(t);
  t.click(t.overwrite);
  t.server.last().fail();
  await settle();
  assert.equal(t.tr.dataset.save, 'failed');
  assert.deepEqual(t.storage.kept(), { text: 'Mine', unsure: false, revision: 7 });
  t.timers.runAll();
  assert.deepEqual(t.server.last().body, { revision: 7, text: 'Mine' });
});

test('a conflict rendered by the server (plain form post) blocks leaving and can be overwritten', async () => {
  // editor.html after a 409 from the page-wide save: the box holds my text, .theirs the stored one,
  // data-revision the stored revision.
  const t = setup({ text: 'Mine', revision: 7, theirsText: 'Theirs' });
  assert.equal(t.row.unsaved(), true, 'nothing differs from the box, but the choice is still open');
  t.row.save();
  assert.equal(t.server.requests.length, 0);
  t.click(t.overwrite);
  assert.deepEqual(t.server.last().body, { revision: 7, text: 'Mine' });
});

test('a row restored after a reload is marked unsaved and saved again', async () => {
  const stored = { [KEY]: JSON.stringify({ text: 'Typed offline', unsure: true, revision: 3 }) };
  const t = setup({ text: 'Salam', revision: 3 }, stored);
  assert.equal(t.textarea.value, 'Typed offline');
  assert.equal(t.checkbox.checked, true);
  assert.equal(t.tr.dataset.save, 'failed');
  assert.equal(t.saveState.textContent, MSG.unsaved);
  assert.equal(t.row.unsaved(), true);
  assert.deepEqual(t.timers.delays(), [0]);

  t.timers.runAll();
  assert.deepEqual(t.server.last().body, { revision: 3, text: 'Typed offline', unsure: true });
  t.server.last().reply(200, saved('Typed offline', 4, 'review', true));
  await settle();
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.storage.kept(), null);
  assert.equal(t.row.unsaved(), false);
});

test('a kept copy equal to what the page shows is dropped without a request', () => {
  const stored = { [KEY]: JSON.stringify({ text: 'Salam', unsure: false, revision: 2 }) };
  const t = setup({ text: 'Salam', revision: 3 }, stored);
  assert.equal(t.storage.kept(), null);
  assert.equal(t.timers.pending.size, 0);
  assert.equal(t.row.unsaved(), false);
  assert.equal(t.tr.dataset.save, undefined);
});

test('unsaved() is true until the server confirms every change', async () => {
  const t = setup();
  assert.equal(t.row.unsaved(), false);
  type(t, 'Salam!');
  assert.equal(t.row.unsaved(), true, 'typed, not sent');
  t.timers.runAll();
  assert.equal(t.row.unsaved(), true, 'sent, no answer yet');
  t.server.last().reply(200, saved('Salam!', 4));
  await settle();
  assert.equal(t.row.unsaved(), false);

  t.checkbox.checked = true;
  t.checkbox.dispatch('change');
  assert.deepEqual(t.server.last().body, { revision: 4, unsure: true }, 'only the doubt is sent');
  assert.equal(t.row.unsaved(), true, 'the doubt is not confirmed yet');
  t.server.last().reply(200, saved('Salam!', 4, 'review', true));
  await settle();
  assert.equal(t.row.unsaved(), false);
});

test('"still right" sends unsure=false and moves the row from needs review to done', async () => {
  const t = setup({ text: 'Salam', revision: 5, unsure: true, state: 'review' });
  assert.equal(t.confirm.hidden, false);
  const event = t.click(t.confirm);
  assert.equal(event.defaultPrevented, true);
  assert.equal(t.checkbox.checked, false);
  assert.deepEqual(t.server.last().body, { revision: 5, unsure: false });
  assert.equal(t.row.unsaved(), true);

  t.server.last().reply(200, saved('Salam', 5, 'done', false));
  await settle();
  assert.equal(t.tr.classList.contains('state-done'), true);
  assert.equal(t.tr.classList.contains('state-review'), false);
  assert.equal(t.stateName.textContent, MSG.done);
  assert.equal(t.confirm.hidden, true);
  assert.equal(t.tr.dataset.save, 'saved');
  assert.equal(t.row.unsaved(), false);
});

test('"still right" on a row pinned for review but not marked unsure still sends unsure=false', () => {
  // The source changed: the row needs review although the translator never ticked "unsure".
  const t = setup({ text: 'Salam', revision: 5, unsure: false, state: 'review' });
  t.click(t.confirm);
  assert.deepEqual(t.server.last().body, { revision: 5, unsure: false });
});

test('a click outside the buttons does nothing', () => {
  const t = setup();
  const event = t.click(t.cell);
  assert.equal(event.defaultPrevented, false);
  assert.equal(t.server.requests.length, 0);
});

test('retryNow (back online) retries only a row that failed', async () => {
  const t = setup();
  t.row.retryNow();
  assert.equal(t.server.requests.length, 0);
  type(t, 'Salam dost');
  t.timers.runAll();
  t.server.last().fail();
  await settle();
  t.row.retryNow();
  assert.equal(t.server.requests.length, 2);
  assert.equal(t.timers.pending.size, 0, 'the scheduled retry is replaced, not doubled');
});
