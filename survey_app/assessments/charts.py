"""Before/after bars of a knowledge check, drawn on the server like the other results (charts.py).

Each row is a label with two bars, the share of points before and after, on a 0–100% scale
(not scaled to the longest bar, so rows compare across charts), written to one decimal like the
table under the chart (numbers.py). Mirrored for right-to-left languages by the shared canvas.
"""

from markupsafe import Markup

from ..charts import PAD
from ..charts import SERIES_COLOURS
from ..charts import VALUE_SPACE
from ..charts import WIDTH
from ..charts import _Canvas
from ..charts import _label
from ..charts import _legend
from ..i18n import list_comma
from .numbers import figure


def before_after(rows: list[tuple[str, float | None, float | None]], *, lang: str, title: str,
                 series: tuple[str, str]) -> Markup:
    """Draw, per row, the share before and after (None: no test on that side)."""
    canvas = _Canvas(lang)
    room = WIDTH - 2 * PAD - VALUE_SPACE
    y = _legend(canvas, series, 4)
    for label, *shares in rows:
        y = _label(canvas, label, y)
        for index, share in enumerate(shares):
            length = room * (share or 0)
            note = figure(share, lang, "share")
            canvas.rect(PAD, y, max(length, 0.5 if share else 0), 17, SERIES_COLOURS[index],
                        f"{label}{list_comma(lang)}{series[index]}: {note}")
            canvas.text(PAD + length + 4, y + 13.5, note)
            y += 21
        y += 8
    return canvas.svg(title, y, "bars")
