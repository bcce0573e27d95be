"""SVG charts: valid standalone documents, escaped texts, mirrored for right-to-left readers."""

import xml.etree.ElementTree as ET

import pytest

from survey_app.charts import PAD
from survey_app.charts import WIDTH
from survey_app.charts import Bar
from survey_app.charts import bar_chart
from survey_app.charts import column_chart
from survey_app.charts import percent
from survey_app.charts import stacked_bars

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert('x')</script> & \"co\""


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314  (our own output, parsed to check it)


def bars(lang="en", label="Housing"):
    return bar_chart([Bar(label, (3,), (0.3,)), Bar("کار", (6,), (0.6,))], lang=lang, title="Which topics?")


def stacked(lang="en"):
    return stacked_bars([("", [1, 2, 3, 4, 10])], ["1", "2", "3", "4", "5"], lang=lang, title="Clear?")


def columns(lang="en"):
    return column_chart([("20 Nov", 3), ("21 Nov", 0), ("22 Nov", 6)], lang=lang, title="Per day")


def rects(svg: ET.Element) -> list[ET.Element]:
    """The drawn bars: rectangles with a tooltip (legend swatches and axes have none)."""
    return [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def right_edge(rect: ET.Element) -> float:
    return float(rect.get("x")) + float(rect.get("width"))


@pytest.mark.parametrize("chart", [bars, stacked, columns])
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_every_chart_is_a_scalable_standalone_svg(chart, lang):
    svg = parse(chart(lang))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("width") == "100%" and svg.get("viewBox").startswith(f"0 0 {WIDTH} ")
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text


@pytest.mark.parametrize("chart", [
    lambda: bar_chart([Bar(NASTY, (1,), (1.0,))], lang="en", title=NASTY),
    lambda: bar_chart([Bar("a", (1, 2), (0.5, 0.5))], lang="en", title="t", series=(NASTY, "b")),
    lambda: stacked_bars([(NASTY, [1, 1])], [NASTY, "b"], lang="fa", title=NASTY),
    lambda: column_chart([(NASTY, 1)], lang="fa", title=NASTY),
])
def test_labels_and_titles_are_inert_text(chart):
    markup = str(chart())
    svg = parse(markup)
    assert "<script" not in markup
    assert not [element for element in svg.iter() if element.tag.endswith("script")]
    texts = [element.text for element in svg.iter() if element.text]
    assert any(NASTY in text for text in texts)


def test_rtl_bars_grow_from_the_right_edge():
    for rect in rects(parse(bars("fa"))):
        assert right_edge(rect) == pytest.approx(WIDTH - PAD)
    for rect in rects(parse(bars("en"))):
        assert float(rect.get("x")) == pytest.approx(PAD)


def test_rtl_texts_start_at_the_right_and_read_right_to_left():
    texts = list(parse(bars("fa")).iter(f"{SVG}text"))
    assert all(text.get("direction") == "rtl" and text.get("text-anchor") == "start" for text in texts)
    assert float(texts[0].get("x")) == pytest.approx(WIDTH - PAD)
    assert all(text.get("direction") is None for text in parse(bars("en")).iter(f"{SVG}text"))


def test_bar_length_follows_the_count():
    first, second = rects(parse(bars("fa")))
    assert float(second.get("width")) == pytest.approx(2 * float(first.get("width")))


def test_rtl_likert_bar_starts_with_the_first_option_at_the_right():
    ltr, rtl = rects(parse(stacked("en"))), rects(parse(stacked("fa")))
    assert float(ltr[0].get("x")) == pytest.approx(PAD)
    assert right_edge(rtl[0]) == pytest.approx(WIDTH - PAD)
    assert sum(float(r.get("width")) for r in rtl) == pytest.approx(WIDTH - 2 * PAD)
    assert float(rtl[-1].get("x")) == pytest.approx(PAD)


@pytest.mark.parametrize("lang", ["en", "fa", "ps"])
def test_days_run_from_the_oldest_at_the_left_in_every_language(lang):
    days = rects(parse(columns(lang)))
    assert [float(r.get("x")) for r in days] == sorted(float(r.get("x")) for r in days)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_first_day_is_labelled_at_the_left_the_last_at_the_right_with_an_arrow_between(lang):
    svg = parse(columns(lang))
    texts = {t.text: t for t in svg.iter(f"{SVG}text")}
    first, last = texts["20 Nov"], texts["22 Nov"]
    assert float(first.get("x")) == pytest.approx(PAD) and float(last.get("x")) == pytest.approx(WIDTH - PAD)
    left_edge, right_edge_ = ("end", "start") if lang == "fa" else ("start", "end")  # rtl text starts at its right
    assert (first.get("text-anchor"), last.get("text-anchor")) == (left_edge, right_edge_)
    (arrow,) = svg.iter(f"{SVG}path")
    moves = arrow.get("d").split("M")[1:]
    start, end = float(moves[0].split()[0]), float(moves[0].split("H")[1])
    assert start < end  # it points to the right, towards the newest day


@pytest.mark.parametrize("chart", [bars, stacked, columns])
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_text_is_large_enough_on_a_phone(chart, lang):
    """A 360-unit chart drawn about 300 px wide on a 360 px phone: 14.5 units make 12 CSS px."""
    sizes = [float(t.get("font-size")) for t in parse(chart(lang)).iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 14.5


def test_long_labels_wrap_instead_of_being_cut():
    label = "The trainer explained the rights and duties of refugees in the host country clearly and patiently"
    texts = [t.text for t in parse(bar_chart([Bar(label, (1,), (1.0,))], lang="en", title="t")).iter(f"{SVG}text")]
    lines = texts[:-1]
    assert len(lines) == 3 and " ".join(lines) == label and not any(line.endswith("…") for line in lines)


def test_a_label_longer_than_three_lines_ends_with_an_ellipsis():
    texts = [t.text for t in parse(bar_chart([Bar("word " * 60, (1,), (1.0,))], lang="en", title="t"))
             .iter(f"{SVG}text")]
    assert len(texts) == 4 and texts[2].endswith("…")


def test_numbers_use_the_readers_digits():
    texts = [t.text for t in parse(bars("fa")).iter(f"{SVG}text")]
    assert "۳ (۳۰٪)" in texts
    assert "3 (30%)" in [t.text for t in parse(bars("en")).iter(f"{SVG}text")]


@pytest.mark.parametrize(("share", "lang", "text"), [(0.5, "en", "50%"), (1 / 3, "fa", "۳۳٪"), (0, "ps", "۰٪")])
def test_percent(share, lang, text):
    assert percent(share, lang) == text


def test_two_series_are_drawn_side_by_side_with_a_legend():
    svg = parse(bar_chart([Bar("Yes", (2, 4), (0.5, 1.0))], lang="en", title="t", series=("Shiraz", "Mashhad")))
    first, second = rects(svg)
    assert first.get("fill") != second.get("fill")
    assert {"Shiraz", "Mashhad"} <= {t.text for t in svg.iter(f"{SVG}text")}
