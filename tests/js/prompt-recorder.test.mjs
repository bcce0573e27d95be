// The editor's file checks against the vectors the server's checks use (engine/prompt_media.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { LIMITS, recordingType, refusal, sniff } from '../../survey_app/static/js/prompt-recorder.js';

const vectors = JSON.parse(readFileSync(new URL('../data/prompt_media_vectors.json', import.meta.url)));
const bytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (pair) => parseInt(pair, 16));

for (const vector of vectors) {
  test(`sniff: ${vector.case}`, () => {
    assert.equal(sniff(bytes(vector.hex)), vector.extension);
  });
}

test('a recording over 1 MB and a picture over 500 KB are refused, at the limit they pass', () => {
  const webm = bytes(vectors[0].hex);
  const png = bytes(vectors.find((v) => v.extension === 'png').hex);
  assert.equal(refusal(webm, LIMITS.audio), '');
  assert.equal(refusal(webm, LIMITS.audio + 1), 'too_big:audio');
  assert.equal(refusal(png, LIMITS.image), '');
  assert.equal(refusal(png, LIMITS.image + 1), 'too_big:image');
  assert.equal(refusal(png, 0), 'empty');
  assert.equal(refusal(bytes('3c737667'), 10), 'not_media');
});

test('Opus in WebM is preferred, then Opus in Ogg, then MP4; none gives the browser its own choice', () => {
  assert.equal(recordingType(() => true), 'audio/webm;codecs=opus');
  assert.equal(recordingType((t) => t.startsWith('audio/ogg')), 'audio/ogg;codecs=opus');
  assert.equal(recordingType((t) => t === 'audio/mp4'), 'audio/mp4');
  assert.equal(recordingType(() => { throw new Error('old browser'); }), '');
});
