// Photo answers on the phone: the size a picture is drawn at, its name, its type, and batches by weight.
import assert from 'node:assert/strict';
import test from 'node:test';

import { batches, BATCH_BYTES, weight } from '../../survey_app/static/js/outbox.js';
import {
  fileName, fitWithin, LONGEST_SIDE, readName, sniff, toBase64,
} from '../../survey_app/static/js/photos.js';

test('a picture is drawn at most LONGEST_SIDE long, keeping its shape; a small one keeps its size', () => {
  assert.equal(LONGEST_SIDE, 1280);
  assert.deepEqual(fitWithin(4000, 3000), { width: 1280, height: 960 });
  assert.deepEqual(fitWithin(3000, 4000), { width: 960, height: 1280 });
  assert.deepEqual(fitWithin(640, 480), { width: 640, height: 480 });
  assert.deepEqual(fitWithin(20000, 1), { width: 1280, height: 1 });
});

test('a file name is plain, made from the question, and read back as the server reads it', () => {
  const name = fileName('before.room photo', 'a1b2c3', 'image/jpeg');
  assert.equal(name, 'before-room-photo-a1b2c3.jpg');
  assert.equal(readName(name), name);
  assert.equal(fileName('_x', '00', 'application/pdf'), 'x-00.pdf');
  for (const bad of ['../x.jpg', 'a b.jpg', 'x', '', 'a'.repeat(120) + '.jpg', 3]) assert.throws(() => readName(bad));
});

test('the type is read from the first bytes, as answer_files.sniff does', () => {
  const bytes = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));
  assert.equal(sniff(bytes('\xff\xd8\xff\xe0')), 'image/jpeg');
  assert.equal(sniff(bytes('\x89PNG\r\n\x1a\n....')), 'image/png');
  assert.equal(sniff(bytes('RIFF\x10\x00\x00\x00WEBPVP8 ')), 'image/webp');
  assert.equal(sniff(bytes('%PDF-1.7')), 'application/pdf');
  assert.equal(sniff(bytes('<svg onload=alert(1)>')), null);
  assert.equal(sniff(bytes('GIF89a')), null);
});

test('base64 of many bytes is the same as Buffer gives', () => {
  const bytes = Uint8Array.from({ length: 100000 }, (_, i) => (i * 7) % 256);
  assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
});

test('batches are cut by their files too, and one heavy record goes alone', () => {
  const entry = (n, size) => ({ uuid: String(n), record: { attachments: size ? [{ name: 'p.jpg', data: 'x'.repeat(size) }] : undefined } });
  assert.equal(weight(entry(1, 10)), 10);
  assert.equal(weight(entry(1, 0)), 0);
  const sizes = [BATCH_BYTES / 2, BATCH_BYTES / 2, 1, BATCH_BYTES * 2, 0, 0];
  const cut = batches(sizes.map((size, n) => entry(n, size)));
  assert.deepEqual(cut.map((b) => b.map((e) => e.uuid)), [['0', '1'], ['2'], ['3'], ['4', '5']]);
  assert.deepEqual(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
});
