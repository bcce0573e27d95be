"""Labels and hints: the ODK Markdown subset, escaped first, the same as the phone's module."""

import json
from pathlib import Path

import pytest

from survey_app.engine.odk_markdown import references
from survey_app.engine.odk_markdown import render

VECTORS = json.loads((Path(__file__).parent / "data" / "markdown_vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["text"][:40] for v in VECTORS])
def test_markdown_vectors_render_as_recorded(vector):
    assert render(vector["text"], vector["values"]) == vector["html"]


@pytest.mark.parametrize("text", ["<img src=x onerror=alert(1)>", "<a href='javascript:x'>y</a>",
                                  '<span style="color:red" onclick="x()">z</span>', "[x](javascript:alert(1))"])
def test_no_html_from_the_text_reaches_the_page(text):
    html = render(text)
    assert "<img" not in html and "<a href='javascript" not in html and "onclick=\"" not in html
    assert "javascript:" not in html.split('href="')[-1] or 'href="' not in html


def test_references_name_the_answers_a_text_shows():
    assert references("Hello ${name}, from ${village.name}") == ["name", "village.name"]
