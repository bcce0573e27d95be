"""A knowledge check's participant code on real phones: made and kept on one, typed on another, paired."""

import json
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlalchemy import text

from tests.assessment_helpers import FORMS
from tests.servers import LiveServer

from .test_offline import wait_offline_ready

PRE = "/forms/knowledge_check?lang=en&phase=pre"
POST = "/forms/knowledge_check?lang=en&phase=post"


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", FORMS)
    live.start()
    yield live
    live.stop()


def scores(server, count: int) -> list[tuple]:
    """Wait for `count` scored submissions and return (phase, participant, points)."""
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    try:
        for _ in range(100):
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT phase, participant, points, questions FROM assessmentscore "
                                         "ORDER BY phase DESC")).all()
            if len(rows) >= count:
                return [(phase, code, points, json.loads(q) if isinstance(q, str) else q)
                        for phase, code, points, q in rows]
            time.sleep(0.1)
        return []
    finally:
        engine.dispose()


def answer(page, right: bool) -> None:
    page.check(f"input[name=q1][value={'a' if right else 'b'}]")
    page.check("input[name=q2][value=a]")
    page.check("input[name=more][value=no]")
    page.click("button[type=submit]")
    expect(page.locator("#saved-thanks")).to_be_visible()


def test_code_is_kept_on_the_phone_and_typed_on_another_and_the_tests_pair(server, open_phone):
    phone = open_phone()
    page = phone.new_page()
    page.goto(server.url + PRE)
    code_input = page.locator("#participant-code-input")
    expect(page.locator("#participant-code")).to_be_visible()
    made = code_input.input_value()
    assert len(made) == 6
    answer(page, right=False)
    page.goto(server.url + POST)
    expect(code_input).to_have_value(made)  # the same phone remembers its participant's code
    expect(page.locator("[data-phase-hint=post]")).to_be_visible()

    other = open_phone("tablet").new_page()
    other.goto(server.url + POST)
    other.reload()
    wait_offline_ready(other)
    other.context.set_offline(True)
    typed = other.locator("#participant-code-input")
    typed.fill("OO")
    other.click("button[type=submit]")
    expect(other.locator("#participant-code-error")).to_be_visible()
    typed.fill(f"{made[:4].lower()}-{made[4:]}")
    answer(other, right=True)
    other.context.set_offline(False)
    other.reload()  # back online: the outbox sends the post-test
    found = scores(server, 2)
    assert [(phase, code) for phase, code, _, _ in found] == [("pre", made), ("post", made)]
    assert found[0][2] < found[1][2]
