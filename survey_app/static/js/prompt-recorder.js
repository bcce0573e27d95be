// The translation editor's recordings and pictures: record a question or choice with the
// microphone, listen, record again or save it into the draft; upload a file or remove one.
// Loaded by the editor page only. Without it the same boxes upload with a plain form POST.
// Files are checked here as the server checks them (engine/prompt_media.py), so a refusal
// shows at once; the server's check is the one that counts.

export const LIMITS = { audio: 1024 * 1024, image: 500 * 1024 };
// Opus where the browser records it, else what it can (Safari records MP4/AAC).
export const RECORDING_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'];
// Speech is clear at 32 kbit/s in Opus (browsers default to 128): a minute is about 240 KB, four under 1 MB.
export const BITS_PER_SECOND = 32000;
const KINDS = { webm: 'audio', ogg: 'audio', m4a: 'audio', mp3: 'audio', wav: 'audio', png: 'image', jpg: 'image', webp: 'image' };

/** The first recording type the browser supports, or '' (then the browser picks its own). */
export function recordingType(isTypeSupported) {
  return RECORDING_TYPES.find((type) => {
    try { return isTypeSupported(type); } catch { return false; }
  }) || '';
}

const ascii = (bytes, start, end) => String.fromCharCode(...bytes.slice(start, end));
const startsWith = (bytes, prefix) => prefix.every((byte, i) => bytes[i] === byte);

/** The file extension a file's first bytes prove (webm, ogg, m4a, mp3, wav, png, jpg, webp), or null. */
export function sniff(bytes) {
  const head = bytes.slice(0, 64);
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3]) && ascii(head, 0, 64).includes('webm')) return 'webm';
  if (ascii(head, 0, 4) === 'OggS') return 'ogg';
  if (ascii(head, 4, 8) === 'ftyp') return 'm4a';
  if (ascii(head, 0, 3) === 'ID3' || (head.length > 1 && head[0] === 0xff && (head[1] & 0xe6) === 0xe2)) return 'mp3';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return 'wav';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpg';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** Why a file cannot be a prompt ('empty', 'not_media', 'too_big:audio', 'too_big:image'), or ''. */
export function refusal(head, size) {
  if (!size) return 'empty';
  const extension = sniff(head);
  if (!extension) return 'not_media';
  const kind = KINDS[extension];
  return size > LIMITS[kind] ? `too_big:${kind}` : '';
}

/** Wire one question's or choice's box: its recorder, its upload and its remove buttons. */
export function wireBox({ box, form, send, media, msg, urls, onSaved }) {
  const q = (selector) => box.querySelector(selector);
  const take = q('.prompt-take');
  const buttons = { record: q('[data-media=record]'), stop: q('[data-media=stop]'), save: q('[data-media=save]'), again: q('[data-media=again]') };
  let recorder = null;
  let recording = null;

  const say = (text) => { q('.media-state').textContent = text; };
  const show = (...names) => {
    Object.entries(buttons).forEach(([name, button]) => { button.hidden = !names.includes(name); });
    take.hidden = !names.includes('save');
  };
  function fail(text) {
    const line = q('.error');
    line.textContent = text;
    line.hidden = !text;
    box.classList.toggle('has-error', Boolean(text));
    say('');
  }

  function showSaved(result) {
    if (result.removed) {
      q(`.prompt-${result.removed}`).hidden = true;
    } else {
      const part = q(`.prompt-${result.kind}`);
      part.querySelector(result.kind === 'audio' ? 'audio' : 'img').src = result.url;
      part.hidden = false;
    }
    fail('');
    say(msg.mediaSaved);
    onSaved();
  }

  async function upload(fields) {
    const body = new FormData();
    Object.entries(fields).forEach(([name, value]) => body.append(name, ...[value].flat()));
    say(msg.uploading);
    try {
      const response = await send(form.action, body);
      const payload = await response.json().catch(() => null);
      if (response.ok && payload) return showSaved(payload);
      return fail((payload && payload.message) || msg.expired);
    } catch {
      return fail(msg.mediaFailed);
    }
  }

  async function record() {
    fail('');
    let stream;
    try {
      stream = await media.getUserMedia({ audio: true });
    } catch {
      return fail(msg.noMicrophone);
    }
    const type = recordingType((t) => media.isTypeSupported(t));
    const chunks = [];
    recorder = media.recorder(stream, { audioBitsPerSecond: BITS_PER_SECOND, ...(type ? { mimeType: type } : {}) });
    recorder.addEventListener('dataavailable', (event) => { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener('stop', () => {
      stream.getTracks().forEach((track) => track.stop());
      recording = new Blob(chunks, { type: recorder.mimeType || type || 'audio/webm' });
      if (take.src) urls.revokeObjectURL(take.src);
      take.src = urls.createObjectURL(recording);
      show('save', 'again');
      say('');
    });
    recorder.start();
    show('stop');
    return say(msg.recording);
  }

  box.addEventListener('click', (event) => {
    const action = event.target.closest('[data-media]')?.dataset.media;
    if (action === 'record' || action === 'again') record();
    if (action === 'stop' && recorder) recorder.stop();
    if (action === 'save' && recording) {
      const extension = recording.type.includes('ogg') ? 'ogg' : recording.type.includes('mp4') ? 'm4a' : 'webm';
      upload({ file: [recording, `recording.${extension}`] }).then(() => show('record'));
    }
  });

  return {
    /** Handle the box's form being sent: check a chosen file first, or remove a prompt. */
    async submit(submitter) {
      if (submitter && submitter.name === 'remove') return upload({ remove: submitter.value });
      const file = q('input[type=file]').files[0];
      const head = file ? new Uint8Array(await file.slice(0, 64).arrayBuffer()) : new Uint8Array();
      const why = refusal(head, file ? file.size : 0);
      if (why) return fail(msg[why] || msg.not_media);
      return upload({ file: [file, file.name] });
    },
  };
}

/** The browser's microphone and recorder, or `available: false` where there is none. */
function browserMedia(win) {
  const devices = win.navigator.mediaDevices;
  const Recorder = win.MediaRecorder;
  return {
    available: Boolean(devices && devices.getUserMedia && Recorder),
    getUserMedia: (constraints) => devices.getUserMedia(constraints),
    isTypeSupported: (type) => Recorder.isTypeSupported(type),
    recorder: (stream, options) => new Recorder(stream, options),
  };
}

/** Start every box of the editor page. */
export function start(doc, win) {
  const editor = doc.getElementById('translation-editor');
  if (!editor) return;
  const d = editor.dataset;
  const boxes = doc.querySelectorAll('.prompt-media');
  const msg = {
    recording: d.msgRecording, noMicrophone: d.msgNoMicrophone, uploading: d.msgUploading,
    mediaSaved: d.msgMediaSaved, mediaFailed: d.msgMediaFailed, expired: d.msgExpired,
    // The server's own words for a refusal, shown without asking it: {empty, not_media, 'too_big:audio', ...}.
    ...JSON.parse(d.mediaRefusals || '{}'),
  };
  const send = (url, body) => win.fetch(url, {
    method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json', 'X-CSRFToken': d.csrf },
  });
  const frame = doc.getElementById('preview-frame');
  const onSaved = () => frame?.contentWindow?.location.reload();
  const media = browserMedia(win);
  const wired = new Map();
  boxes.forEach((box) => {
    const form = doc.getElementById(box.dataset.form);
    wired.set(form, wireBox({ box, form, send, media, msg, urls: win.URL, onSaved }));
    if (media.available) box.querySelector('.prompt-recorder').hidden = false;
  });
  doc.addEventListener('submit', (event) => {
    const box = wired.get(event.target);
    if (!box) return;
    event.preventDefault();
    box.submit(event.submitter);
  });
}

if (typeof document !== 'undefined') start(document, window);
