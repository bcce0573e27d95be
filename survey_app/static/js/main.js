// Page entry: wires the questionnaire, the drafts, the outbox and the status panel.
// This is the one module that reads browser globals; the others take them as arguments.

import { enhance, readRaw, showError } from './form-page.js';
import { makeUuid, openStore } from './storage.js';

const PERSIAN_DIGITS = new Set(['fa', 'fa_AF', 'ps']);
const $ = (selector, root = document) => root.querySelector(selector);

function localDigits(text, lang) {
  return PERSIAN_DIGITS.has(lang) ? String(text).replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : String(text);
}

/** Register once the page has loaded: the worker's precache would otherwise share a slow link with it. */
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

/** Sending is not needed to answer: its modules are fetched on first use, once the page is usable. */
function lazySync(options) {
  let loading = null;
  const load = () => {
    if (!loading) {
      // Both at once: sync.js alone would find outbox.js one round trip later.
      loading = Promise.all([import('./sync.js'), import('./outbox.js')])
        .then(([{ createSync }]) => createSync(options));
      loading.catch(() => { loading = null; });  // offline: the next trigger tries again
    }
    return loading;
  };
  return { syncNow: (...args) => load().then((sync) => sync.syncNow(...args), () => {}) };
}

/**
 * The status panel: how many answers wait on this phone and how the last sending went. It sits after
 * the page's content and shows only when it matters: answers waiting, a problem, or once the
 * participant has sent something here. "Sent" is said only when answers were waiting before.
 */
function statusPanel(panel) {
  const msg = panel.dataset;
  const lang = document.documentElement.lang.replace('-', '_');
  let waitingBefore = 0;
  let wanted = false;
  return {
    show(waiting, state, notAccepted = 0) {
      const sent = state === 'ok' && waitingBefore > waiting;
      waitingBefore = waiting;
      const trouble = state === 'retry' || state === 'stop' || notAccepted > 0;
      panel.hidden = !(wanted || waiting > 0 || trouble);
      const count = waiting === 0 ? msg.msgNone
        : (waiting === 1 ? msg.msgWaitingOne : msg.msgWaitingMany).replace('{n}', localDigits(waiting, lang));
      $('.status-count', panel).textContent = count;
      // Answers the server refused stay on the phone: the organiser gets them through a saved copy.
      $('.status-kept', panel).textContent = notAccepted
        ? msg.msgNotAccepted.replace('{n}', localDigits(notAccepted, lang)) : '';
      $('[data-action=send]', panel).hidden = waiting === 0;
      $('[data-action=save]', panel).hidden = waiting === 0 && notAccepted === 0;
      $('[data-action=clear]', panel).disabled = waiting > 0;
      if (state) $('.status-last', panel).textContent = sent ? msg.msgOk : { retry: msg.msgRetry, stop: msg.msgStop }[state] || '';
      panel.classList.toggle('warn', trouble);
      panel.classList.toggle('ok', sent);
    },
    /** Keep the panel in view from now on (the participant has just sent answers here). */
    want() { wanted = true; panel.hidden = false; },
    say(text) {
      panel.hidden = false;
      $('.status-last', panel).textContent = text;
    },
  };
}

/** The workshop the phone was sent to, from the address: any kept copy of the page may have been served. */
function workshopFromAddress() {
  const code = new URLSearchParams(window.location.search).get('w');
  return code && code.trim() ? code.trim().toUpperCase() : null;
}

const WORKSHOP_KEY = 'survey-workshop:';

/** On a workshop's page, remember the languages it offers; its questionnaire pages offer only those. */
function rememberWorkshop() {
  const heading = $('#workshop[data-code]');
  if (!heading) return;
  try {
    window.localStorage.setItem(WORKSHOP_KEY + heading.dataset.code, heading.dataset.languages);
  } catch { /* private mode: the server's own pages still narrow the languages */ }
}

/** Tag the questionnaire with the workshop of its address, and keep the workshop when switching language. */
function wireWorkshop(form, code) {
  if (!code) {
    delete form.dataset.workshop;
    form.querySelector('input[name=workshop]')?.remove();
    return;
  }
  form.dataset.workshop = code;
  let field = form.querySelector('input[name=workshop]');
  if (!field) {
    field = Object.assign(document.createElement('input'), { type: 'hidden', name: 'workshop' });
    form.prepend(field);
  }
  field.value = code;
  const action = new URL(form.action, window.location.href);
  action.searchParams.set('w', code);
  form.action = action.href;
  let languages = null;
  try {
    languages = window.localStorage.getItem(WORKSHOP_KEY + code)?.split(' ');
  } catch { /* nothing remembered */ }
  for (const link of document.querySelectorAll('.languages a[lang]')) {
    const lang = link.lang.replace('-', '_');
    link.search = new URLSearchParams({ w: code, lang }).toString();
    if (languages && !languages.includes(lang) && !link.hasAttribute('aria-current')) link.parentElement.remove();
  }
}

function downloadOutbox(entries, source) {
  const body = JSON.stringify({ source, submissions: entries.map((e) => e.record) }, null, 1);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
  link.download = `answers-${source}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.json`;
  document.body.append(link);
  link.click();
  link.remove();
}

function wireActions(panel, store, sync, status, source) {
  panel.addEventListener('click', async (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (action === 'send') {
      status.want();
      sync.syncNow(true);
    }
    if (action === 'save') downloadOutbox(await store.unsent(), source);
    if (action === 'clear') {
      const cleared = await store.clear();
      status.say(cleared ? panel.dataset.msgCleared : panel.dataset.msgClearRefused);
    }
  });
}

/** Say on the thank-you card what became of the answers: sending, received, or kept until a connection. */
async function sendAndTell(thanks, store, sync, uuid) {
  const line = $('.thanks-state', thanks);
  const waiting = async () => (await store.pending()).some((entry) => entry.uuid === uuid);
  line.textContent = navigator.onLine ? thanks.dataset.msgSending : thanks.dataset.msgSaved;
  await sync.syncNow();
  // A sending already under way when these answers were kept did not take them: one more round.
  if (navigator.onLine && await waiting()) await sync.syncNow();
  line.textContent = await waiting() ? thanks.dataset.msgSaved : thanks.dataset.msgSent;
}

/** Keep a draft as the participant types, offer it back; returns what queues finished answers. */
function wireQuestionnaire(form, page, store, sync, refresh, status) {
  const questions = page.questions;
  const draftKey = `${form.dataset.formId}`;
  const fresh = () => ({ uuid: makeUuid(crypto), startedAt: new Date().toISOString() });
  let current = fresh();
  let saveTimer = null;
  const queue = async (event, result) => {
    event.preventDefault();
    clearTimeout(saveTimer);
    const { uuid } = current;
    await store.enqueue({
      uuid, form_id: form.dataset.formId, form_version: form.dataset.formVersion,
      lang: form.dataset.lang, started_at: current.startedAt, submitted_at: new Date().toISOString(),
      workshop: form.dataset.workshop || null, answers: result.answers,
      phase: form.elements._phase?.value || undefined, participant: form.elements._participant?.value || undefined,
      ...page.extra(result.answers),
    }, draftKey);
    window.history.scrollRestoration = 'auto';
    $('#draft-offer').hidden = true;  // its draft went with these answers
    current = fresh();
    form.reset();
    form.hidden = true;
    const thanks = $('#saved-thanks');
    thanks.hidden = false;
    thanks.focus();
    window.scrollTo(0, 0);
    status.want();
    await refresh();
    await sendAndTell(thanks, store, sync, uuid);
  };
  const saveDraft = () => {
    // While a draft is kept, a reload must not scroll away from its offer at the top.
    window.history.scrollRestoration = 'manual';
    return store.saveDraft({
      key: draftKey, uuid: current.uuid, startedAt: current.startedAt, version: form.dataset.formVersion,
      raw: { ...readRaw(form, questions), ...page.snapshot() }, savedAt: Date.now(),
    });
  };
  form.addEventListener('input', () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveDraft, 250);
  });
  form.addEventListener('change', saveDraft);
  $('#saved-thanks [data-action=another]')?.addEventListener('click', () => {
    $('#saved-thanks').hidden = true;
    form.hidden = false;
    form.querySelector('input, textarea')?.focus();
  });
  offerDraft(form, store, draftKey, page, (draft) => { current = { uuid: draft.uuid, startedAt: draft.startedAt }; });
  return queue;
}

async function offerDraft(form, store, draftKey, page, adopt) {
  const draft = await store.getDraft(draftKey);
  const offer = $('#draft-offer');
  if (!draft || !offer) return;
  window.history.scrollRestoration = 'manual';
  offer.hidden = false;
  offer.scrollIntoView({ block: 'center' });
  offer.focus({ preventScroll: true });
  offer.addEventListener('click', async (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (action === 'restore') {
      page.restore(draft.raw);
      restore(form, page.questions, draft.raw);
      adopt(draft);
    } else if (action === 'discard') {
      window.history.scrollRestoration = 'auto';
      await store.deleteDraft(draftKey);
    } else {
      return;
    }
    offer.hidden = true;
  });
}

function restore(form, questions, raw) {
  for (const q of questions) {
    const value = raw[q.name];
    if (value === undefined) continue;
    for (const input of form.querySelectorAll(`[name="${CSS.escape(q.name)}"]`)) {
      if (input.type === 'file') continue;  // a file cannot be put back; photos.js restores its own
      if (input.type === 'radio' || input.type === 'checkbox') {
        input.checked = Array.isArray(value) ? value.includes(input.value) : input.value === value;
      } else {
        input.value = value;
      }
    }
  }
  form.dispatchEvent(new Event('change'));
}

/**
 * The modules a questionnaire's structure needs (repeats, filtered choices, pages, long lists, the
 * files pulldata() reads), named by the page; each may first fetch what it reads (`prepare`).
 */
async function loadExtensions(form) {
  const known = new Set([
    'repeats', 'choice-filter', 'pages', 'participant-code', 'photos', 'long-lists', 'form-tables',
  ]);
  const names = (form.dataset.extensions || '').split(' ').filter((name) => known.has(name));
  try {
    const modules = await Promise.all(names.map((name) => import(`./${name}.js`)));
    await Promise.all(modules.map((module) => module.prepare?.(form, (url) => window.fetch(url))));
    return modules.map((module) => module.extension({ showError }));
  } catch {
    return null;
  }
}

/** Tell measurements (bench/page_weight.py) the moment the page is fully usable: checks and drafts wired. */
function markReady() {
  performance.mark('survey:ready');
}

async function start() {
  const panel = $('#phone-status');
  const form = $('form.questionnaire');
  if (!panel) return;
  rememberWorkshop();
  if (form) wireWorkshop(form, workshopFromAddress());
  const opening = openStore(window.indexedDB);  // the browser opens it while the checks are wired
  opening.catch(() => {});
  // Until the phone's store is open, a valid form is posted as plain HTML, as without JavaScript.
  let queue = null;
  // Without the modules its structure needs, a questionnaire is left to the plain HTML form (the server's pages).
  const extensions = form ? await loadExtensions(form) : null;
  const page = extensions ? enhance(form, { onValid: (event, result) => queue?.(event, result), extensions }) : null;
  const status = statusPanel(panel);
  let store;
  try {
    store = await opening;
  } catch {
    status.say(panel.dataset.msgNoStorage);  // checks still help; the plain POST sends the answers
    page?.plain();
    markReady();
    return;
  }
  navigator.storage?.persist?.().catch(() => {});
  const source = await store.sourceId(() => makeUuid(crypto));
  const refresh = async () => status.show((await store.pending()).length, undefined, (await store.keptAside()).length);
  const sync = lazySync({
    store, fetch: (...args) => window.fetch(...args), endpoint: panel.dataset.syncUrl, source,
    timers: window, onChange: ({ waiting, state, notAccepted }) => status.show(waiting, state, notAccepted),
  });
  wireActions(panel, store, sync, status, source);
  if (page) queue = wireQuestionnaire(form, page, store, sync, refresh, status);
  markReady();
  await refresh();
  window.addEventListener('online', () => sync.syncNow());
  sync.syncNow();
}

// The service worker comes after: its precache must not delay this page on a slow link.
start().finally(registerServiceWorker);
