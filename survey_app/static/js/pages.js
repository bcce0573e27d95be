// A paged questionnaire on the phone: one screen at a time, next and back without the server, the
// screen's answers checked before moving on, progress shown. The server draws every screen (one
// shown) and does the same without JavaScript (form_structure.py). Loaded only by paged questionnaires.

const PERSIAN_DIGITS = new Set(['fa', 'fa-AF', 'ps']);

function localDigits(number, lang) {
  const text = String(number);
  return PERSIAN_DIGITS.has(lang) ? text.replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : text;
}

/** Whether a screen shows anything with the answers so far (a screen of hidden questions is skipped). */
export function isShown(screen) {
  const visible = (el) => {
    for (let up = el; up && up !== screen; up = up.parentElement) if (up.hidden) return false;
    return true;
  };
  return Array.from(screen.querySelectorAll('[data-type]'))
    .some((el) => el.dataset.type !== 'group' && el.dataset.type !== 'calculate' && visible(el));
}

/** The screen to show when moving from `from` by `step` (+1 or -1), skipping empty ones; or `from`. */
export function nextScreen(shown, from, step) {
  for (let at = from + step; at >= 0 && at < shown.length; at += step) if (shown[at]) return at;
  return from;
}

export function extension() {
  let form = null;
  let page = null;
  let screens = [];
  let current = 0;

  function show(number) {
    current = number;
    screens.forEach((screen, at) => { screen.hidden = at !== number; });
    const input = form.querySelector('input[name=_screen]');
    if (input) input.value = String(number);
    update();
  }

  function update() {
    const shown = screens.map(isShown);
    const visible = shown.filter(Boolean).length;
    const place = shown.slice(0, current + 1).filter(Boolean).length;
    const last = nextScreen(shown, current, 1) === current;
    form.querySelector('[data-page-next]').hidden = last;
    form.querySelector('[data-page-send]').hidden = !last;
    form.querySelector('[data-page-back]').hidden = nextScreen(shown, current, -1) === current;
    const progress = form.querySelector('[data-progress]');
    const lang = form.ownerDocument.documentElement.lang;
    progress.textContent = progress.dataset.msgProgress.replace('{n}', localDigits(place, lang))
      .replace('{total}', localDigits(visible, lang));
  }

  function move(step) {
    if (step > 0) {
      const result = page.showWithin(screens[current]);
      if (result.invalid.some((el) => screens[current].contains(el))) {
        result.invalid.find((el) => screens[current].contains(el))?.querySelector('input, textarea')?.focus();
        return;
      }
    }
    show(nextScreen(screens.map(isShown), current, step));
    const heading = screens[current].querySelector('h2, legend, label');
    screens[current].scrollIntoView?.({ block: 'start' });
    heading?.setAttribute('tabindex', '-1');
    heading?.focus?.({ preventScroll: true });
  }

  return {
    attach(target, api) {
      form = target;
      page = api;
      screens = Array.from(form.querySelectorAll('[data-screen]'));
      current = Math.max(0, screens.findIndex((screen) => !screen.hidden));
      form.addEventListener('submit', (event) => {
        const button = event.submitter;
        if (button?.name !== '_page') return;
        event.preventDefault();
        event.stopImmediatePropagation();
        move(button.matches('[data-page-back]') ? -1 : 1);
      });
      form.addEventListener('reset', () => setTimeout(() => show(nextScreen(screens.map(isShown), -1, 1))));
    },
    check() {
      if (form && screens.length) update();
    },
    reveal(el) {
      const screen = screens.findIndex((s) => s.contains(el));
      if (screen >= 0) show(screen);
    },
  };
}
