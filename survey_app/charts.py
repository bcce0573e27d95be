"""Charts drawn on the server as SVG: bars, stacked bars for Likert scales, responses per day.

Each chart is a standalone SVG document with a viewBox and width 100%, so it shrinks to a
360 px phone, prints, and needs no JavaScript. Text is drawn at 15 units: a 360-unit chart
shown about 300 px wide on a 360 px phone makes that 12.5 CSS px; long labels wrap onto
up to three lines rather than shrink. For right-to-left languages bars and Likert scales are
mirrored: every x is measured from the right edge, so bars grow leftwards, and texts carry
direction="rtl". The time axis of "responses per day" is not mirrored: days run from the
oldest on the left to the newest on the right in every language, as in Persian and Afghan
statistical publications and in the spreadsheets the answers are exported to; an arrow
under the axis shows the direction. Every text is escaped; labels and answers are never markup.
"""

from dataclasses import dataclass

from markupsafe import Markup

from .engine.texts import PERSIAN_NUMERAL_LANGUAGES
from .engine.texts import is_rtl
from .engine.texts import localise_digits

WIDTH = 360
PAD = 6
FONT = 15
LINE = FONT + 4
LABEL_CHARS = 40  # per line, at FONT units in the 348 units between the paddings
LABEL_LINES = 3
VALUE_SPACE = 100
SERIES_COLOURS = ("#0a5cab", "#c2571a")
# Diverging palettes (ColorBrewer RdBu), from "disagree" red through grey to "agree" blue.
DIVERGING = {
    2: ("#ca0020", "#0571b0"),
    3: ("#ca0020", "#bababa", "#0571b0"),
    4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
    5: ("#ca0020", "#f4a582", "#bababa", "#92c5de", "#0571b0"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    7: ("#b2182b", "#ef8a62", "#fddbc7", "#bababa", "#d1e5f0", "#67a9cf", "#2166ac"),
}
DARK_SEGMENTS = frozenset({"#ca0020", "#0571b0", "#b2182b", "#2166ac"})


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: a label and, per series, a count and its share (0..1)."""

    label: str
    values: tuple[int, ...]
    shares: tuple[float, ...]


def percent(share: float, lang: str) -> str:
    """Write a share as a whole percentage with the digits and sign the reader expects."""
    sign = "٪" if lang in PERSIAN_NUMERAL_LANGUAGES else "%"
    return f"{localise_digits(round(share * 100), lang)}{sign}"


class _Canvas:
    """SVG elements placed with x measured from the left edge, or from the right one when rtl."""

    def __init__(self, lang: str, mirror: bool = True):
        self.lang, self.rtl, self.mirror, self.parts = lang, is_rtl(lang), mirror, []

    def x(self, offset: float, length: float = 0) -> float:
        """Return where something `length` wide starts when it sits `offset` from the reading start."""
        return round(WIDTH - offset - length, 2) if self.rtl and self.mirror else round(offset, 2)

    def text(self, offset: float, y: float, content: str, *, size: float = FONT, fill: str = "",
             align: str = "") -> None:
        """Write a text at `offset` from the reading start, or, with align="left"/"right", with that
        edge at `offset` from the left (on a chart that is not mirrored)."""
        anchor = "start"
        if align:
            anchor = "end" if (align == "left") == self.rtl else "start"
        self.parts.append(Markup('<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}"{direction}{fill}>'
                                 "{content}</text>").format(
            x=round(offset, 2) if align else self.x(offset), y=y, size=size, content=content, anchor=anchor,
            direction=Markup(' direction="rtl"') if self.rtl else "",
            fill=Markup(' fill="{}"').format(fill) if fill else ""))

    def arrow(self, start: float, end: float, y: float) -> None:
        """A thin arrow pointing from `start` to `end` (left to right when start < end)."""
        head = 5 if end > start else -5
        self.parts.append(Markup('<path d="M{a} {y}H{b}M{c} {up}L{b} {y}L{c} {down}" stroke="#4a5360" fill="none"'
                                 ' stroke-width="1.2"/>').format(a=round(start, 2), b=round(end, 2),
                                                                 c=round(end - head, 2), y=y, up=y - 4, down=y + 4))

    def rect(self, offset: float, y: float, length: float, height: float, fill: str, tip: str = "") -> None:
        self.parts.append(Markup('<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}">{tip}</rect>')
                          .format(x=self.x(offset, length), y=y, width=round(length, 2), height=height, fill=fill,
                                  tip=Markup("<title>{}</title>").format(tip) if tip else ""))

    def svg(self, title: str, height: float, css: str) -> Markup:
        """Wrap the elements in a standalone SVG document that scales to its container."""
        head = Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {width} {height}"'
                      ' width="100%" role="img" aria-label="{title}" direction="{direction}" font-family="inherit">'
                      "<title>{title}</title>").format(css=css, width=WIDTH, height=round(height), title=title,
                                                       direction="rtl" if self.rtl else "ltr")
        return head + Markup("").join(self.parts) + Markup("</svg>")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _lines(label: str) -> list[str]:
    """Break a label between words into lines that fit; a label that needs more lines ends in "…"."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > LABEL_CHARS:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][: LABEL_CHARS - 1] + "…"
    return [_short(line) for line in lines]


def _label(canvas: "_Canvas", label: str, y: float) -> float:
    """Write a label on as many lines as it needs; return where the next element starts."""
    for line in _lines(label):
        canvas.text(PAD, y + FONT, line)
        y += LINE
    return y + 2


def bar_chart(bars: list[Bar], *, lang: str, title: str, series: tuple[str, ...] = ()) -> Markup:
    """Draw horizontal bars, one per option (two side by side when comparing two series)."""
    canvas = _Canvas(lang)
    longest = max((v for bar in bars for v in bar.values), default=0) or 1
    room = WIDTH - 2 * PAD - VALUE_SPACE
    y = _legend(canvas, series, 4) if series else 4
    for bar in bars:
        y = _label(canvas, bar.label, y)
        for index, (value, share) in enumerate(zip(bar.values, bar.shares, strict=True)):
            length = room * value / longest
            note = f"{localise_digits(value, lang)} ({percent(share, lang)})"
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            canvas.rect(PAD, y, max(length, 0.5 if value else 0), 17, colour, f"{bar.label}: {note}")
            canvas.text(PAD + length + 4, y + 13.5, note)
            y += 21
        y += 8
    return canvas.svg(title, y, "bars")


def stacked_bars(rows: list[tuple[str, list[int]]], legend: list[str], *, lang: str, title: str) -> Markup:
    """Draw one 100% bar per row, split by option in scale order, with a legend below (Likert)."""
    canvas = _Canvas(lang)
    palette = DIVERGING.get(len(legend)) or tuple(SERIES_COLOURS[i % 2] for i in range(len(legend)))
    room, y = WIDTH - 2 * PAD, 4
    for label, counts in rows:
        if label:
            y = _label(canvas, label, y)
        total, offset = sum(counts) or 1, PAD
        for index, value in enumerate(counts):
            length = room * value / total
            share = percent(value / total, lang)
            canvas.rect(offset, y, length, 26, palette[index], f"{legend[index]}: {share}")
            if length >= 10 + len(share) * FONT * 0.6:
                ink = "#ffffff" if palette[index] in DARK_SEGMENTS else "#1b1f24"
                canvas.text(offset + 4, y + 18, share, fill=ink)
            offset += length
        y += 34
    y = _legend(canvas, legend, y + 2, palette)
    return canvas.svg(title, y, "stacked")


def _legend(canvas: _Canvas, names, y: float, palette=SERIES_COLOURS) -> float:
    """List each colour with its name, one per line; return where the next element starts."""
    for index, name in enumerate(names):
        canvas.rect(PAD, y + 2, 14, 14, palette[index % len(palette)])
        canvas.text(PAD + 20, y + 14, _short(name))
        y += LINE + 2
    return y + 6


def column_chart(points: list[tuple[str, int]], *, lang: str, title: str) -> Markup:
    """Draw one column per day, oldest at the left in every language; label the ends and the highest."""
    canvas = _Canvas(lang, mirror=False)
    top, plot = FONT + 10, 120
    highest = max((value for _day, value in points), default=0) or 1
    step = (WIDTH - 2 * PAD) / max(len(points), 1)
    canvas.text(PAD, FONT + 2, localise_digits(highest, lang), align="left")
    canvas.rect(PAD, top, WIDTH - 2 * PAD, 0.75, "#c7ced6")
    for index, (day, value) in enumerate(points):
        height = plot * value / highest
        canvas.rect(PAD + index * step + step * 0.1, top + plot - height, step * 0.8, height, SERIES_COLOURS[0],
                    f"{day}: {localise_digits(value, lang)}")
    canvas.rect(PAD, top + plot, WIDTH - 2 * PAD, 1, "#4a5360")
    below = top + plot + FONT + 6
    if points:
        first, last = points[0][0], points[-1][0]
        canvas.text(PAD, below, first, align="left")
        if len(points) > 1:
            canvas.text(WIDTH - PAD, below, last, align="right")
            start, end = PAD + _width(first, FONT) + 8, WIDTH - PAD - _width(last, FONT) - 8
            if end - start > 24:
                canvas.arrow(start, end, below - FONT / 3)
    return canvas.svg(title, below + 8, "columns")


def _width(text: str, size: int) -> float:
    """Guess how wide a short text is drawn (there is no font metrics on the server)."""
    return len(text) * size * 0.55
