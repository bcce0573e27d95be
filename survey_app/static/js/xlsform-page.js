// Page entry for questionnaires imported from XLSForm that need more than a plain form:
// loaded only by those pages (see form_class.page_assets). Reads the browser's globals and
// hands them to xlsform-widgets.js.

import { isoDay } from './locale.js';
import { makeUuid } from './storage.js';
import { addReader } from './validation.js';
import {
  addReaders, answerValues, deviceId, fillReferences, formatPosition, locate, metadataValue,
} from './xlsform-widgets.js';

// This script comes before main.js in the page, so the readers are there for its first check.
addReaders(addReader);

function phoneId() {
  try {
    return deviceId(window.localStorage, () => makeUuid(window.crypto));
  } catch {
    return '';  // storage refused (private mode): the row stays empty
  }
}

function fillMetadata(form, kinds) {
  const context = { now: new Date().toISOString(), today: isoDay(new Date()), device: phoneId() };
  for (const input of form.querySelectorAll('[data-meta]')) {
    if (!kinds.includes(input.dataset.meta)) continue;
    const value = metadataValue(input.dataset.meta, context);
    if (value !== null) input.value = value;
  }
}

function wireGeopoints(form) {
  for (const button of form.querySelectorAll('[data-geopoint-for]')) {
    const input = form.querySelector(`#${CSS.escape(button.dataset.geopointFor)}`);
    const status = button.parentElement.querySelector('[data-geopoint-status]');
    button.hidden = !navigator.geolocation;
    button.addEventListener('click', () => {
      status.hidden = false;
      status.textContent = status.dataset.msgWaiting;
      locate(navigator.geolocation).then((coords) => {
        input.value = formatPosition(coords);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        status.textContent = status.dataset.msgAccuracy.replace('{m}', String(Math.round(coords.accuracy)));
      }, () => { status.textContent = status.dataset.msgFailed; });
    });
  }
  const start = form.querySelector('[data-meta="start-geopoint"]');
  if (start && navigator.geolocation) locate(navigator.geolocation).then((c) => { start.value = formatPosition(c); }, () => {});
}

function wireSliders(form) {
  for (const slider of form.querySelectorAll('[data-slider-for]')) {
    const input = form.querySelector(`#${CSS.escape(slider.dataset.sliderFor)}`);
    slider.hidden = false;
    if (input.value) slider.value = input.value;
    slider.addEventListener('input', () => {
      input.value = slider.value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }
}

const form = document.querySelector('form.questionnaire');
if (form) {
  fillMetadata(form, ['start', 'end', 'today', 'deviceid']);
  const touch = () => {
    fillMetadata(form, ['end']);
    fillReferences(form, answerValues(new FormData(form)));
  };
  form.addEventListener('input', touch);
  form.addEventListener('change', touch);
  // After each check: what people typed and what the calculations give (a total, a score).
  form.addEventListener('survey:checked', (event) => {
    fillReferences(form, { ...answerValues(new FormData(form)), ...event.detail.answers });
  });
  form.addEventListener('submit', () => fillMetadata(form, ['end']), true);
  wireGeopoints(form);
  wireSliders(form);
  fillReferences(form, answerValues(new FormData(form)));
}
