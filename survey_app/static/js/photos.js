// Photo and file answers on the phone, loaded only by questionnaires that ask for them.
// A picture is made smaller here (longest side LONGEST_SIDE px, JPEG at JPEG_QUALITY) before it is
// kept; a file is kept as chosen, up to MAX_FILE_BYTES. Either is kept as base64 with the answers
// (the draft, then the outbox record's `attachments`) until the server acknowledged the record; the
// answer itself is the file's name, checked like any other answer (survey_app/answer_files.py).

import { addReader } from './validation.js';

export const LONGEST_SIDE = 1280;
export const JPEG_QUALITY = 0.8;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;  // the server's SURVEY_ANSWER_FILE_MAX_BYTES by default
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.[a-z0-9]{1,5}$/;
const EXTENSIONS = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' };
const ALLOWED = { image: ['image/jpeg', 'image/png', 'image/webp'], file: Object.keys(EXTENSIONS) };
const DRAFT_KEY = '@files';

/** The size a picture is drawn at: its own when small enough, else scaled to fit LONGEST_SIDE. */
export function fitWithin(width, height, longest = LONGEST_SIDE) {
  const scale = Math.min(1, longest / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A file answer's name: the question's, a random part, the type's extension (as the server reads it). */
export function fileName(question, random, type) {
  const base = question.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80) || 'file';
  return `${base}-${random}.${EXTENSIONS[type] || 'bin'}`;
}

/** Read a file answer (its name), as engine/validation.py's _file_name does. */
export function readName(value) {
  if (typeof value !== 'string' || !FILE_NAME.test(value)) throw 'file_name';
  return value;
}

/** The type the first bytes show, as answer_files.sniff does on the server. */
export function sniff(bytes) {
  const starts = (...sig) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes.length >= 12
    && String.fromCharCode(...bytes.slice(8, 12)) === 'WEBP') return 'image/webp';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return null;
}

export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Draw a picture at most LONGEST_SIDE px long and encode it as JPEG; the phone's camera file stays untouched. */
async function downscale(file) {
  const bitmap = await createImageBitmap(file);
  const { width, height } = fitWithin(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width, height });
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';  // a transparent PNG gets a white background, not a black one
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
  if (!blob) throw new Error('the picture could not be encoded');
  return new Uint8Array(await blob.arrayBuffer());
}

function randomPart() {
  return Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Read a chosen file: {name, data, type} or {problem: error code}. A picture is always drawn anew (any
 * format the phone can show, HEIC included, becomes a JPEG); another file is kept as it is. */
async function prepared(input, question) {
  const file = input.files[0];
  const kind = input.dataset.file;
  if (kind !== 'image' && file.size > MAX_FILE_BYTES) return { problem: 'file_size' };  // not even read
  let bytes;
  try {
    bytes = kind === 'image' ? await downscale(file) : new Uint8Array(await file.arrayBuffer());
  } catch {
    return { problem: kind === 'image' ? 'file_type' : 'file_missing' };
  }
  const type = sniff(bytes);
  if (!ALLOWED[kind]?.includes(type)) return { problem: 'file_type' };
  if (bytes.length > MAX_FILE_BYTES) return { problem: 'file_size' };
  return { name: fileName(question, randomPart(), type), data: toBase64(bytes), type };
}

export function extension() {
  addReader('image', readName);
  addReader('file', readName);
  const kept = new Map();  // question -> {name, data, type}
  const parts = new Map();  // question -> {input, hidden, preview, status}

  const show = (question) => {
    const { hidden, preview, status } = parts.get(question);
    const file = kept.get(question);
    hidden.value = file ? file.name : '';
    if (preview) {
      preview.hidden = !(file && file.type.startsWith('image/'));
      preview.src = preview.hidden ? '' : `data:${file.type};base64,${file.data}`;
    }
    if (status && file) status.hidden = true;
  };

  const choose = async (question) => {
    const { input, hidden, status } = parts.get(question);
    kept.delete(question);
    if (input.files.length) {
      status.hidden = false;
      status.textContent = status.dataset.msgWorking;
      const file = await prepared(input, question);
      if (file.problem) status.textContent = input.form.dataset[`msg${file.problem.replace(/(^|_)([a-z])/g, (m, s, c) => c.toUpperCase())}`];
      else kept.set(question, file);
    }
    show(question);
    hidden.dispatchEvent(new Event('change', { bubbles: true }));  // checks the page and keeps the draft
  };

  return {
    attach(form) {
      for (const input of form.querySelectorAll('input[type=file][data-file]')) {
        // The answer is the name in a hidden field; the file itself never leaves through the form.
        const question = input.name;
        const hidden = Object.assign(document.createElement('input'), { type: 'hidden', name: question });
        input.removeAttribute('name');
        input.after(hidden);
        const box = input.closest('.question');
        parts.set(question, {
          input, hidden, preview: box.querySelector('img.answer-photo'), status: box.querySelector('[data-file-status]'),
        });
        input.addEventListener('change', () => choose(question));
      }
      form.addEventListener('reset', () => setTimeout(() => {
        kept.clear();
        for (const question of parts.keys()) show(question);
      }));
    },
    /** What the outbox record carries besides the answers: the files the kept answers name. */
    record(answers) {
      const named = new Set(Object.values(answers));
      const attachments = [...kept.values()].filter((file) => named.has(file.name))
        .map(({ name, data }) => ({ name, data }));
      return attachments.length ? { attachments } : {};
    },
    /** The page is posted as plain HTML after all (the phone refused local storage): the files go with it. */
    plain() {
      for (const [question, { input, hidden }] of parts) {
        input.name = question;
        hidden.remove();
      }
    },
    snapshot: () => ({ [DRAFT_KEY]: Object.fromEntries(kept) }),
    restore(raw) {
      for (const [question, file] of Object.entries(raw[DRAFT_KEY] || {})) {
        if (!parts.has(question)) continue;
        kept.set(question, file);
        show(question);
      }
    },
  };
}
