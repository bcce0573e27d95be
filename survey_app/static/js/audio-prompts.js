// Large play buttons for recorded questions and choices, for people who read little. Loaded only
// by pages with a recording (form_class._plays_audio). A phone without sound, or a recording that
// fails, leaves the button dimmed and the question answerable: nothing here waits for the sound.

/** Wire one recording: the button plays or pauses it, and shows what it is doing. */
export function wirePrompt(box, { onPlay = () => {} } = {}) {
  const button = box.querySelector('.play-prompt');
  const audio = box.querySelector('audio');
  if (!button || !audio) return null;
  const set = (state) => {
    button.dataset.state = state;
    button.setAttribute('aria-pressed', String(state === 'playing'));
  };
  set('ready');
  button.hidden = false;
  audio.controls = false;
  audio.hidden = true;
  button.addEventListener('click', (event) => {
    event.preventDefault();  // inside an option's label: listening is not choosing
    if (!audio.paused) {
      audio.pause();
      return;
    }
    onPlay(audio);
    try {
      const started = audio.play();
      if (started && started.catch) started.catch(() => set('failed'));
    } catch {
      set('failed');
    }
  });
  audio.addEventListener('playing', () => set('playing'));
  audio.addEventListener('pause', () => set('ready'));
  audio.addEventListener('ended', () => set('ready'));
  audio.addEventListener('error', () => set('failed'));
  return audio;
}

/** Wire every recording of the page; one plays at a time. */
export function start(doc) {
  const players = [];
  const onPlay = (current) => players.forEach((audio) => { if (audio !== current && !audio.paused) audio.pause(); });
  doc.querySelectorAll('.audio-prompt').forEach((box) => {
    const audio = wirePrompt(box, { onPlay });
    if (audio) players.push(audio);
  });
}

if (typeof document !== 'undefined') start(document);
