"""Results pages on a phone: the filters stay folded with a summary, workshop menus show how titles begin."""

import datetime
import re

from survey_app.models import Workshop

from .test_results import sign_in
from .test_results import thirty  # noqa: F401 - fixture
from .test_results import version  # noqa: F401 - fixture

LONG_TITLE = "Voluntary return and reintegration, Tehran (November)"


def add_workshop(session, owner, code="J7BX66BG", title=LONG_TITLE):
    session.add(Workshop(code=code, title=title, start_date=datetime.date(2026, 11, 1),
                         end_date=datetime.date(2026, 11, 3), form_ids=["sample_feedback"], languages=["fa"],
                         created_by=owner.id))
    session.commit()


def test_active_filters_are_summarised_and_the_panel_stays_folded(client, session):
    owner = sign_in(client, session)
    add_workshop(session, owner)
    page = client.get("/organise/results/sample_feedback?lang=en&workshop=J7BX66BG&date_from=2026-11-01").data.decode()
    panel = re.search(r'<details class="panel results-filters no-print"( open)?>\s*<summary>(.*?)</summary>',
                      page, re.S)
    assert panel[1] is None
    assert "Workshop: Voluntary return and… (J7BX66BG)" in panel[2] and "From: 2026-11-01" in panel[2]


def test_a_filter_to_correct_opens_the_panel(client, session):
    sign_in(client, session)
    page = client.get("/organise/results/sample_feedback?lang=en&date_from=yesterday").data.decode()
    assert '<details class="panel results-filters no-print" open>' in page


def test_workshop_menus_keep_the_start_of_long_titles_and_the_code(client, session):
    owner = sign_in(client, session)
    add_workshop(session, owner)
    add_workshop(session, owner, code="K8CY77CH", title="Short")
    for url in ("/organise/results/sample_feedback?lang=en", "/organise/results/sample_feedback/compare?lang=en"):
        page = client.get(url).data.decode()
        assert '<option value="J7BX66BG">Voluntary return and… (J7BX66BG)</option>' in page
        assert '<option value="K8CY77CH">Short (K8CY77CH)</option>' in page


def test_the_direction_of_the_time_axis_is_said(client, session, thirty):  # noqa: F811
    sign_in(client, session)
    page = client.get("/organise/results/sample_feedback?lang=en").data.decode()
    assert "Oldest day on the left, newest on the right." in page
