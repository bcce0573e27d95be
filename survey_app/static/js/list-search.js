// Searching a long choice list as engine/long_lists.py does (held to tests/data/list_search_vectors.json):
// every typed word must appear in an option's label or name, after folding the spellings people
// type differently (Arabic and Persian ی and ک, hamza seats, ة, marks, tatweel, ZWNJ, native digits).

const FOLD = new Map([
  ['ي', 'ی'], ['ى', 'ی'], ['ئ', 'ی'], ['ۍ', 'ی'], ['ې', 'ی'], ['ك', 'ک'], ['ګ', 'گ'],
  ['أ', 'ا'], ['إ', 'ا'], ['آ', 'ا'], ['ٱ', 'ا'], ['ؤ', 'و'], ['ة', 'ه'], ['ۀ', 'ه'], ['ہ', 'ه'], ['ھ', 'ه'],
  ['\u200c', ' '], ['\u200d', ''], ['\u0640', ''],
]);
for (let n = 0; n < 10; n += 1) {
  FOLD.set(String.fromCharCode(0x06F0 + n), String(n));
  FOLD.set(String.fromCharCode(0x0660 + n), String(n));
}
const MARKS = /[\u064b-\u065f\u0670\u06d6-\u06ed]/g;
export const MAX_QUERY = 100;

/** Text as searches compare it: one spelling of each Arabic-script letter, no marks, ASCII digits, lower case. */
export function normalise(text) {
  const folded = Array.from(String(text).normalize('NFC'), (c) => (FOLD.has(c) ? FOLD.get(c) : c)).join('');
  return folded.replace(MARKS, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The words of a search, normalised (only its first MAX_QUERY characters, counted as Python counts them). */
export function queryWords(query) {
  return normalise(Array.from(String(query)).slice(0, MAX_QUERY).join('')).split(' ').filter(Boolean);
}

const TEXTS = new WeakMap();

/** Each option's label and name as searches read them, folded once per list (not at every key typed). */
function searchTexts(options) {
  if (!TEXTS.has(options)) TEXTS.set(options, options.map(([name, label]) => `${normalise(label)} ${normalise(name)}`));
  return TEXTS.get(options);
}

/**
 * The options to draw (chosen ones the search does not list first, then the list's order) and how many match: options is [[name, label]],
 * allowed a Set of the names the filter offers (null: all). Without a search, the allowed options
 * are shown only when there are at most `max`.
 */
export function shownOptions(options, allowed, query, chosen, max) {
  const words = queryWords(query);
  const texts = words.length ? searchTexts(options) : null;
  const found = [];
  options.forEach(([name], index) => {
    if (allowed && !allowed.has(name)) return;
    if (texts && !words.every((word) => texts[index].includes(word))) return;
    found.push(name);
  });
  const listed = words.length || found.length <= max ? found.slice(0, max) : [];
  const known = new Set(options.map(([name]) => name));
  const extra = [...new Set(chosen)].filter((name) => known.has(name) && !listed.includes(name));
  return { shown: [...extra, ...listed], found: found.length };
}
