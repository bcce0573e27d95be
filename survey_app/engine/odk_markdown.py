"""The ODK Markdown subset in labels and hints, made safe: escape first, then convert.

Nothing from the file reaches the page as HTML: the text is escaped, then a fixed set of
patterns becomes a fixed set of tags: **bold** and __bold__, *italic* and _italic_,
[links](https://...) (http, https, mailto and tel only), `# headings` at a line's start,
`<span style="color:...">` as one of a few colour classes (inline styles are not allowed
on these pages), line breaks, and `${name}` as a span the page fills with that answer.
``static/js/odk-markdown.js`` does the same, held to ``tests/data/markdown_vectors.json``.
"""

import re

ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}
COLOURS = {"red": "red", "green": "green", "blue": "blue", "orange": "orange", "purple": "purple",
           "gray": "gray", "grey": "gray", "black": "black", "brown": "brown"}
HEX_COLOURS = {"f00": "red", "ff0000": "red", "0f0": "green", "00ff00": "green", "008000": "green",
               "00f": "blue", "0000ff": "blue", "ffa500": "orange", "800080": "purple", "808080": "gray",
               "000": "black", "000000": "black", "a52a2a": "brown"}
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_SAFE_URL = re.compile(r"^(https?:|mailto:|tel:)", re.IGNORECASE)
_SPAN = re.compile(r"&lt;span style=(?:&#34;|&#39;)([^&]*?)(?:&#34;|&#39;)&gt;(.*?)&lt;/span&gt;", re.IGNORECASE)
_COLOUR = re.compile(r"(?:^|;)\s*color\s*:\s*(#?[A-Za-z0-9]+)", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__")
_ITALIC = re.compile(r"\*(?=\S)([^*\n]+?)\*|(^|[^A-Za-z0-9_])_(?=\S)([^_\n]+?)_(?![A-Za-z0-9_])")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$", re.MULTILINE)
_HOLE = re.compile("\u0000([0-9]+)\u0000")


def escape(text: str) -> str:
    return "".join(ESCAPES.get(char, char) for char in text)


def references(text: str) -> list[str]:
    """Names of the answers a text shows with ${name}."""
    return _REF.findall(text or "")


def render(text: str, values: dict | None = None) -> str:
    """Return safe HTML for a label or hint; ${name} shows values[name] (escaped)."""
    values = values or {}
    holes: list[str] = []

    def hole(html: str) -> str:
        holes.append(html)
        return f"\u0000{len(holes) - 1}\u0000"

    html = escape((text or "").replace("\u0000", "").replace("\r\n", "\n").replace("\r", "\n"))
    html = _REF.sub(lambda m: hole(f'<span class="ref" data-ref="{m.group(1)}">'
                                   f"{escape(shown(values.get(m.group(1))))}</span>"), html)
    html = _LINK.sub(lambda m: hole(_link(m.group(1), m.group(2))), html)
    html = _SPAN.sub(_colour, html)
    html = _BOLD.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", html)
    html = _ITALIC.sub(_italic, html)
    html = _HEADING.sub(lambda m: f'<span class="md-h md-h{len(m.group(1))}">{m.group(2)}</span>', html)
    html = html.replace("\n", "<br>")
    while _HOLE.search(html):
        html = _HOLE.sub(lambda m: holes[int(m.group(1))], html)
    return html


def shown(value) -> str:
    """An answer as a text shows it: lists joined by spaces, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _link(label: str, url: str) -> str:
    if not _SAFE_URL.match(url):
        return label
    return f'<a href="{url}" rel="noopener noreferrer" target="_blank">{label}</a>'


def _colour(match) -> str:
    found = _COLOUR.search(match.group(1))
    written = found.group(1).lower() if found else ""
    name = HEX_COLOURS.get(written[1:]) if written.startswith("#") else COLOURS.get(written)
    return f'<span class="md-c md-c-{name}">{match.group(2)}</span>' if name else match.group(2)


def _italic(match) -> str:
    if match.group(1) is not None:
        return f"<em>{match.group(1)}</em>"
    return f"{match.group(2)}<em>{match.group(3)}</em>"
