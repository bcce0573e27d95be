// The questionnaire form: live relevance and checks before submit. Without it the page
// still works as a plain HTML form.

import { isoDay } from './locale.js';
import { validate } from './validation.js';

/** Describe every item of the page (document order) from its data- attributes. */
export function describeQuestions(form) {
  // Questions inside an instance of a repeat are checked by repeats.js, in the instance's scope.
  return Array.from(form.querySelectorAll('[data-type]')).filter((el) => !el.closest('[data-instance]')).map((el) => {
    const parents = [];
    for (let up = el.parentElement.closest('[data-type="group"]'); up; up = up.parentElement.closest('[data-type="group"]')) {
      parents.push(up.dataset.name);
    }
    // A long list draws a few of its options; long-lists.js gave the element all of their names.
    // A rank draws the same options in each place's drop-down: each name counts once.
    const options = el.choiceNames || [...new Set(Array.from(
      el.querySelectorAll('input[type=radio], input[type=checkbox], option'), (i) => i.value).filter(Boolean))];
    return {
      el,
      name: el.dataset.name,
      type: el.dataset.type,
      parents,
      relevant: el.dataset.relevant,
      required: el.dataset.required,
      constraint: el.dataset.constraint,
      calculation: el.dataset.calculation,
      options,
      max: options.length,
    };
  });
}

/** Read what is typed or ticked, as the server would receive it. */
export function readRaw(form, questions) {
  const data = new FormData(form);
  const raw = {};
  for (const q of questions) {
    const many = q.type === 'select_multiple' || q.type === 'rank';
    const value = many ? data.getAll(q.name).filter((v) => v !== '') : (data.get(q.name) ?? '');
    // A file posted with the page (photos.js could not keep it): the server names it, any name passes here.
    raw[q.name] = typeof value === 'object' && 'size' in value ? (value.size ? 'posted.file' : '') : value;
  }
  return raw;
}

function messageFor(form, question, code) {
  if (code === 'constraint' && question.el.dataset.constraintMessage) return question.el.dataset.constraintMessage;
  const key = `msg${code.replace(/(^|_)([a-z])/g, (m, s, c) => c.toUpperCase())}`;
  return form.dataset[key] || form.dataset.msgConstraint;
}

export function showError(form, question, code) {
  const line = question.el.querySelector(`#error-${CSS.escape(question.name)}`);
  if (!line) return;
  question.el.classList.toggle('has-error', Boolean(code));
  line.hidden = !code;
  line.textContent = code ? messageFor(form, question, code) : '';
  for (const input of question.el.querySelectorAll('input, textarea, select')) {
    if (code) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

/** The summary above the questions: how to go on, and a link to each answer to check. */
function showSummary(form, summary, invalid) {
  const intro = document.createElement('p');
  intro.textContent = form.dataset.msgSummary || '';
  const list = document.createElement('ul');
  list.className = 'summary-links';
  for (const q of invalid) {
    const title = q.el.querySelector('legend, label');
    const link = document.createElement('a');
    link.href = `#${q.el.id}`;
    link.textContent = (title?.firstChild?.textContent || title?.textContent || q.name).trim();
    const item = document.createElement('li');
    item.append(link);
    list.append(item);
  }
  summary.replaceChildren(intro, list);
  summary.hidden = false;
}

/** Wire a questionnaire form; returns a `check()` that other modules (the outbox) reuse. */
/**
 * Wire a questionnaire form; returns a `check()` that other modules (the outbox) reuse.
 * `extensions` (repeats.js, choice-filter.js, pages.js) are attached first, then each adds its part
 * of every check: answers, errors (with their elements in `result.invalid`), what is shown.
 */
export function enhance(form, { today = () => isoDay(new Date()), onValid = null, extensions = [] } = {}) {
  const questions = describeQuestions(form);
  let previous = {};  // the calculations' last values: once() keeps the first one
  let attempted = false;
  let within = null;  // a screen whose errors are shown before the whole form is sent (pages.js)
  const shows = (el) => attempted || Boolean(within?.contains(el));
  const check = () => {
    const known = extensions.map((extension) => extension.context?.()).filter(Boolean);
    const result = validate(questions, readRaw(form, questions), today(), known.length ? Object.assign({}, ...known) : null, previous);
    previous = result.answers;
    result.invalid = [];
    for (const q of questions) {
      q.el.hidden = result.hidden.has(q.name) || q.type === 'calculate';
      if (shows(q.el) || !result.errors[q.name]) showError(form, q, shows(q.el) ? result.errors[q.name] : null);
      if (result.errors[q.name]) result.invalid.push(q.el);
    }
    for (const extension of extensions) extension.check?.(result, { today: today(), shows });
    // Labels that show ${name} (xlsform-page.js) need the calculations' values too.
    form.dispatchEvent(new CustomEvent('survey:checked', { detail: result }));
    return result;
  };
  const api = {
    check,
    questions,
    showWithin(el) { within = el; return check(); },
    // A draft's answers the extensions keep (instances of repeats), and putting them back.
    snapshot: () => Object.assign({}, ...extensions.map((extension) => extension.snapshot?.() ?? {})),
    restore: (raw) => extensions.forEach((extension) => extension.restore?.(raw)),
    // What a record carries besides its answers (photos.js: the files), and the page posted as plain HTML.
    extra: (answers) => Object.assign({}, ...extensions.map((extension) => extension.record?.(answers) ?? {})),
    plain: () => extensions.forEach((extension) => extension.plain?.()),
  };
  for (const extension of extensions) extension.attach?.(form, api);
  form.addEventListener('input', () => check());
  form.addEventListener('change', () => check());
  form.addEventListener('submit', (event) => {
    attempted = true;
    const result = check();
    const invalid = result.invalid;
    const summary = form.querySelector('#summary');
    if (invalid.length) {
      event.preventDefault();
      if (summary) showSummary(form, summary, invalid.map((el) => ({ el, name: el.dataset.name })));
      for (const extension of extensions) extension.reveal?.(invalid[0]);  // a page shows its screen
      // The question's own text first (scroll-margin in app.css), then the answer gets the focus.
      invalid[0].scrollIntoView({ block: 'start' });
      const first = invalid[0].querySelector('input, textarea');
      if (first) first.focus({ preventScroll: true });
      return;
    }
    if (summary) summary.hidden = true;
    if (onValid) onValid(event, result);
  });
  form.addEventListener('reset', () => {
    attempted = false;
    previous = {};
    within = null;
    setTimeout(check);
  });
  check();
  return api;
}
