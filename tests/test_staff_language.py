"""Staff pages in Pashto and Dari show no English: WTForms' own messages are replaced by ours."""

import re

import pytest

from .test_workshops import app_config  # noqa: F401 - fixtures
from .test_workshops import csrf_token


@pytest.mark.parametrize(("lang", "email_message"), [("ps", "مهرباني وکړئ د برېښنالیک پته ولیکئ."),
                                                    ("fa_AF", None), ("fa", None)])
def test_an_empty_sign_in_is_answered_in_the_pages_language(client, lang, email_message):
    token = csrf_token(client, query_string={"lang": lang})
    page = client.post(f"/login?lang={lang}", data={"csrf_token": token, "email": "", "password": ""}).data.decode()
    errors = re.findall(r'<p class="error"[^>]*>([^<]+)</p>', page)
    assert len(errors) == 2
    assert "This field is required." not in page and "این فیلد اجباریست" not in page
    if email_message:
        assert errors[0] == email_message
