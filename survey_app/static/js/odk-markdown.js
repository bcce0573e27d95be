// The ODK Markdown subset in labels and hints, made safe: escape first, then convert.
// Mirrors survey_app/engine/odk_markdown.py step by step; both are held to
// tests/data/markdown_vectors.json. Pure, no DOM.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const COLOURS = {
  red: 'red', green: 'green', blue: 'blue', orange: 'orange', purple: 'purple', gray: 'gray', grey: 'gray',
  black: 'black', brown: 'brown',
};
const HEX_COLOURS = {
  f00: 'red', ff0000: 'red', '0f0': 'green', '00ff00': 'green', '008000': 'green', '00f': 'blue',
  '0000ff': 'blue', ffa500: 'orange', 800080: 'purple', 808080: 'gray', '000': 'black', '000000': 'black',
  a52a2a: 'brown',
};
const REF = /\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;
const LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;
const SAFE_URL = /^(https?:|mailto:|tel:)/i;
const SPAN = /&lt;span style=(?:&#34;|&#39;)([^&]*?)(?:&#34;|&#39;)&gt;(.*?)&lt;\/span&gt;/gi;
const COLOUR = /(?:^|;)\s*color\s*:\s*(#?[A-Za-z0-9]+)/i;
const BOLD = /\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__/g;
const ITALIC = /\*(?=\S)([^*\n]+?)\*|(^|[^A-Za-z0-9_])_(?=\S)([^_\n]+?)_(?![A-Za-z0-9_])/g;
const HEADING = /^(#{1,6})[ \t]+(.*)$/gm;
const HOLE = /\u0000([0-9]+)\u0000/g;

export function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** An answer as a text shows it: lists joined by spaces, nothing for null. */
export function shown(value) {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(' ');
  return String(value);
}

function link(label, url) {
  if (!SAFE_URL.test(url)) return label;
  return `<a href="${url}" rel="noopener noreferrer" target="_blank">${label}</a>`;
}

function colour(match, style, inner) {
  const found = COLOUR.exec(style);
  const lower = found ? found[1].toLowerCase() : '';
  const name = lower.startsWith('#') ? HEX_COLOURS[lower.slice(1)] : COLOURS[lower];
  return name ? `<span class="md-c md-c-${name}">${inner}</span>` : inner;
}

/** Return safe HTML for a label or hint; ${name} shows values[name] (escaped). */
export function render(text, values = {}) {
  const holes = [];
  const hole = (html) => {
    holes.push(html);
    return `\u0000${holes.length - 1}\u0000`;
  };
  let html = escape(String(text || '').replace(/\u0000/g, '').replace(/\r\n?/g, '\n'));
  html = html.replace(REF, (m, name) => hole(
    `<span class="ref" data-ref="${name}">${escape(shown(Object.hasOwn(values, name) ? values[name] : null))}</span>`));
  html = html.replace(LINK, (m, label, url) => hole(link(label, url)));
  html = html.replace(SPAN, colour);
  html = html.replace(BOLD, (m, a, b) => `<strong>${a ?? b}</strong>`);
  html = html.replace(ITALIC, (m, star, before, under) => (star !== undefined
    ? `<em>${star}</em>` : `${before}<em>${under}</em>`));
  html = html.replace(HEADING, (m, hashes, body) => `<span class="md-h md-h${hashes.length}">${body}</span>`);
  html = html.replace(/\n/g, '<br>');
  while (/\u0000([0-9]+)\u0000/.test(html)) html = html.replace(HOLE, (m, n) => holes[Number(n)]);
  return html;
}
