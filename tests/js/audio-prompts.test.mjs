// The participants' play buttons with a fake <audio>: a phone whose sound fails stays quiet and usable.
import assert from 'node:assert/strict';
import test from 'node:test';

import { wirePrompt } from '../../survey_app/static/js/audio-prompts.js';

class Fake {
  constructor(props = {}) {
    Object.assign(this, { hidden: false, dataset: {}, attributes: {}, listeners: {} }, props);
  }

  addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }

  dispatch(type) { (this.listeners[type] || []).forEach((fn) => fn({ preventDefault() {} })); }

  setAttribute(name, value) { this.attributes[name] = value; }
}

function prompt(play) {
  const button = new Fake({ hidden: true });
  const audio = new Fake({ controls: true, paused: true, play, pause() { this.paused = true; this.dispatch('pause'); } });
  const box = { querySelector: (selector) => (selector === 'audio' ? audio : button) };
  return { box, button, audio };
}

test('the large button replaces the small controls and plays the recording', () => {
  let played = 0;
  const { box, button, audio } = prompt(function play() { played += 1; this.paused = false; this.dispatch('playing'); return Promise.resolve(); });
  wirePrompt(box);
  assert.equal(button.hidden, false);
  assert.equal(audio.controls, false);
  button.dispatch('click');
  assert.equal(played, 1);
  assert.equal(button.dataset.state, 'playing');
  assert.equal(button.attributes['aria-pressed'], 'true');
  button.dispatch('click');  // a second tap pauses
  assert.equal(button.dataset.state, 'ready');
});

test('a refused or broken play leaves the button dimmed, without an error', async () => {
  const refused = prompt(() => Promise.reject(new Error('NotAllowedError')));
  wirePrompt(refused.box);
  refused.button.dispatch('click');
  await new Promise((resolve) => { setImmediate(resolve); });
  assert.equal(refused.button.dataset.state, 'failed');

  const thrown = prompt(() => { throw new Error('no sound device'); });
  wirePrompt(thrown.box);
  assert.doesNotThrow(() => thrown.button.dispatch('click'));
  assert.equal(thrown.button.dataset.state, 'failed');

  const broken = prompt(() => undefined);  // an old browser: play() returns nothing
  wirePrompt(broken.box);
  broken.audio.dispatch('error');
  assert.equal(broken.button.dataset.state, 'failed');
});
