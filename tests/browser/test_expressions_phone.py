"""ODK expressions on a real phone page: the functions beyond the core load with the questionnaire."""

import json

from tests.servers import LiveServer

EMAIL = r"[A-Za-z0-9._%+\-]+\@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
FORM = {
    "form_id": "contact", "title": "Contact", "settings": {"default_language": "en"},
    "survey": [
        {"type": "text", "name": "email", "label": "E-mail"},
        {"type": "text", "name": "email_ok", "label": "Thank you", "relevant": f"regex(${{email}}, '{EMAIL}')"},
        {"type": "text", "name": "long_name", "label": "Long",
         "relevant": "string-length(normalize-space(${email})) > 30"},
    ],
}


def test_the_widely_copied_email_pattern_accepts_addresses_on_the_phone(open_phone, tmp_path):
    """The JavaScript u flag once made this pattern refuse every answer in the browser."""
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "contact.yaml").write_text(json.dumps(FORM), encoding="utf-8")  # JSON is YAML
    server = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", folder)
    server.start()
    try:
        page = open_phone().new_page()
        page.goto(server.url + "/forms/contact?lang=en")
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
        page.fill("input[name=email]", "name@example")
        assert not page.is_visible("#q-email_ok") and not page.is_visible("#q-long_name")
        page.fill("input[name=email]", "first.last@mail.example.org")
        page.wait_for_selector("#q-email_ok", state="visible")
        page.fill("input[name=email]", "say first.last@mail.example.org")  # the whole answer must match
        page.wait_for_selector("#q-email_ok", state="hidden")
        assert page.is_visible("#q-long_name")  # 32 characters
    finally:
        server.stop()
