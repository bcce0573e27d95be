"""axe-core on every page a person can open, staff signed in as admin: no critical or serious violation.

The pages come from the URL map, so a new page is checked (or the walk fails naming it). Forms are
also checked after an empty submit, where errors are on screen. axe-core comes from npm, pinned in
tests/browser/package.json (`npm ci --prefix tests/browser`, as .ci/run does); pages send a strict
CSP, so it is injected through a context that bypasses it.
"""

import datetime
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from survey_app.accounts import create_user
from survey_app.models import Workshop
from survey_app.tokens import create_token
from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.conftest import PHONE
from tests.servers import ROOT
from tests.servers import LiveServer

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"  # the version of the audit
PASSWORD = "a long enough password"
# Endpoints that are not pages: files, JSON, images, downloads and the service worker.
NOT_PAGES = {"static", "asset", "participants.service_worker", "organisers.workshop_qr", "organisers.download",
             "organisers.export_file", "organisers.assessment_export", "participants.form_media", "health.healthz",
             "organisers.answer_file", "participants.form_file"}
SERIOUS = {"critical", "serious"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is required under CI (npm ci --prefix tests/browser)")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser)")
    source = AXE.read_text(encoding="utf-8")
    assert f"axe v{AXE_VERSION}" in source[:200], "another axe-core version: run npm ci --prefix tests/browser"
    return source


@pytest.fixture
def shipped_server(tmp_path):
    """A server with the shipped questionnaires (every language), an admin, a workshop and a token."""
    # Every export runs as a background job, so that the page of a job exists to be checked.
    live = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", ROOT / "forms",
                      SURVEY_EXPORT_DIRECT_ROWS=-1)
    live.start()
    engine = create_engine(live.env["SURVEY_DATABASE_URL"])
    with Session(engine) as session:
        admin = create_user(session=session, email="admin@example.org", password=PASSWORD, role="admin")
        today = datetime.date.today()
        session.add(Workshop(code="AXE2WSHP", title="کارگاه بازگشت داوطلبانه به افغانستان، تهران", place="تهران",
                             start_date=today, end_date=today + datetime.timedelta(days=2),
                             form_ids=["cultural_orientation_feedback", "capacity_building_feedback"],
                             languages=["fa", "fa_AF", "ps"], created_by=admin.id))
        create_token(session=session, name="central-office", created_by="admin@example.org")
        session.commit()
    engine.dispose()
    yield live
    live.stop()


def sample_values(page, server) -> dict:
    """Values for every URL argument: a real questionnaire, workshop, record, user and question."""
    form = page.request.get(f"{server.url}/api/v1/forms/cultural_orientation_feedback").json()
    record = {"uuid": str(uuid.uuid4()), "form_id": form["form_id"], "form_version": form["version"], "lang": "ps",
              "started_at": "2026-11-22T09:00:00Z", "submitted_at": "2026-11-22T09:10:00Z",
              "answers": {"age": "سی"}}
    page.request.post(f"{server.url}/api/v1/sync", data=json.dumps({"source": "phone-1", "submissions": [record]}),
                      headers={"Content-Type": "application/json"})
    text_question = next(q["name"] for q in walk(form["definition"]["survey"]) if q["type"] == "text")
    page.goto(f"{server.url}/organise/results/{form['form_id']}/export")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/organise/exports/*")
    return {"form_id": form["form_id"], "workshop_id": 1, "record_id": 1, "user_id": 1, "token_id": 1,
            "lang": "ps", "code": "AXE2WSHP", "question": text_question, "job_id": page.url.rsplit("/", 1)[1]}


def walk(items):
    for item in items:
        yield item
        yield from walk(item.get("children", []))


def page_urls(app, values: dict) -> list[str]:
    """Every GET page of the URL map with sample values; fails on an argument it has no value for."""
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
                continue
            missing = set(rule.arguments) - set(values)
            assert not missing, f"{rule.endpoint}: no sample value for {missing}"
            urls.append(url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}))
    return sorted(set(urls))


def violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in SERIOUS]


def check(page, url: str, axe_source: str, problems: list, submit: bool = False) -> None:
    page.goto(url)
    if submit:
        page.locator("main form[method=post] button[type=submit]").first.click()
        page.wait_for_load_state()
    for problem in violations(page, axe_source):
        problems.append(f"{url}{' after an empty submit' if submit else ''} {problem}")


# Forms checked again after an empty submit, with their errors on screen.
EMPTY_SUBMITS = ["/login", "/organise/workshops/new", "/admin/users/new", "/admin/tokens",
                 "/organise/quarantine/1", "/forms/capacity_building_feedback", "/forms/cultural_orientation_feedback"]


def test_no_page_has_a_critical_or_serious_violation(shipped_server, playwright, axe_source):
    from survey_app import create_app

    app = create_app({"TESTING": True, "SURVEY_DATABASE_URL": "sqlite://", "SURVEY_FORMS_DIR": str(ROOT / "forms")})
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    problems: list[str] = []
    try:
        context = browser.new_context(bypass_csp=True, **PHONE)
        page = context.new_page()
        base = shipped_server.url
        for lang in ("fa", "ps", "en"):
            check(page, f"{base}/login?lang={lang}", axe_source, problems)
        check(page, f"{base}/login?lang=ps", axe_source, problems, submit=True)
        page.goto(f"{base}/login?lang=fa")
        page.fill("#email", "admin@example.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        urls = page_urls(app, sample_values(page, shipped_server))
        assert len(urls) > 20, urls
        for url in urls:
            check(page, f"{base}{url}", axe_source, problems)
        for url in EMPTY_SUBMITS[1:]:
            check(page, f"{base}{url}", axe_source, problems, submit=True)
        for url in ("/forms/cultural_orientation_feedback?lang=ps", "/w/AXE2WSHP?lang=fa_AF",
                    "/organise/results/cultural_orientation_feedback?workshop=AXE2WSHP",
                    "/organise/results/cultural_orientation_feedback/compare?a=AXE2WSHP&b=",
                    "/organise/workshops/1?lang=ps", "/admin/audit?lang=fa_AF",
                    "/forms/cultural_orientation_knowledge_check?lang=ps&phase=pre",
                    "/organise/results/cultural_orientation_knowledge_check/assessment?lang=fa"):
            check(page, f"{base}{url}", axe_source, problems)
        context.close()
    finally:
        browser.close()
    assert problems == []
