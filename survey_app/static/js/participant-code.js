// A knowledge check's participant code, made on the phone without a server and kept on it, so that
// the test before and the test after the course pair without a name. Four letters and two digits
// without look-alikes; the same alphabet and reading as assessments/codes.py. main.js sends the
// fields `_phase` and `_participant` of the page as the record's `phase` and `participant`.

export const LETTERS = 'ACDEFGHJKLMNPQRTUVWXY';
export const DIGITS = '234679';
const CODE = new RegExp(`^[${LETTERS}]{4}[${DIGITS}]{2}$`);
const PHASES = ['pre', 'post'];
const KEY = 'survey-participant:';

/** A random code, e.g. KMTR47; `random(n)` returns an integer below n. */
export function newCode(random) {
  const pick = (alphabet) => alphabet[random(alphabet.length)];
  return Array.from({ length: 4 }, () => pick(LETTERS)).join('') + Array.from({ length: 2 }, () => pick(DIGITS)).join('');
}

/** The code a person meant (lower case, spaces, dashes, Persian or Arabic-Indic digits allowed), or null. */
export function normalise(text) {
  if (typeof text !== 'string' || text.length > 40) return null;
  const code = text.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[\s\-_.]/g, '').toUpperCase();
  return CODE.test(code) ? code : null;
}

/** Read the phase and the facilitator mode from a page address (a kept copy of the page may have been served). */
export function fromAddress(search) {
  const params = new URLSearchParams(search);
  const phase = params.get('phase');
  return { phase: PHASES.includes(phase) ? phase : '', facilitator: params.get('mode') === 'facilitator' };
}

function randomBelow(n) {
  const buffer = new Uint32Array(1);
  crypto.getRandomValues(buffer);
  return buffer[0] % n;
}

export function extension() {
  let block = null;
  let input = null;
  let setting = { phase: '', facilitator: false };
  let key = '';
  const fill = () => {
    if (!setting.phase) return;
    const kept = setting.facilitator ? null : window.localStorage?.getItem(key);
    if (kept) input.value = kept;
    else if (setting.phase === 'pre' || !setting.facilitator) input.value = newCode(randomBelow);
    else input.value = '';  // a facilitator types each participant's code from their card
    if (!setting.facilitator) window.localStorage?.setItem(key, input.value);
  };
  return {
    attach(form) {
      block = form.querySelector('[data-participant-code]');
      if (!block) return;
      input = block.querySelector('input[name=_participant]');
      Object.assign(input.style, { font: '600 1.5rem monospace', letterSpacing: '.2em', maxWidth: '12ch' });  // copied by hand
      setting = fromAddress(window.location.search);
      key = `${KEY}${form.dataset.workshop || ''}:${form.dataset.formId}`;
      block.hidden = !setting.phase;
      block.querySelector('input[name=_phase]').value = setting.phase;
      for (const hint of block.querySelectorAll('[data-phase-hint]')) hint.hidden = hint.dataset.phaseHint !== setting.phase;
      fill();
      input.addEventListener('change', () => {
        const code = normalise(input.value);
        if (code) input.value = code;
        if (code && !setting.facilitator) window.localStorage?.setItem(key, code);
      });
      form.addEventListener('reset', () => setTimeout(fill));
    },
    check(result, state) {
      if (!block || !setting.phase) return;
      const bad = input.value.trim() !== '' && normalise(input.value) === null;
      const error = block.querySelector('.error');
      error.hidden = !(bad && state.shows(block));
      input.setAttribute('aria-invalid', String(bad));
      if (bad) result.invalid.push(block);
    },
  };
}
