"""Staff pages in Pashto and Dari show no English: WTForms' own messages are replaced by ours."""

import re

import pytest

from .test_workshops import app_config  # noqa: F401 - fixtures
from .test_workshops import csrf_token
from .test_workshops import form_data
from .test_workshops import post
from .test_workshops import session  # noqa: F401
from .test_workshops import sign_in


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


def test_a_title_too_long_is_refused_in_the_pages_language(client, session):  # noqa: F811
    sign_in(client, session, "o@example.org")
    page = post(client, "/organise/workshops/new?lang=ps", data=form_data(title="x" * 201)).data.decode()
    assert "مهرباني وکړئ تر 200 تورو زیات مه لیکئ." in page
    assert "Field cannot be longer" not in page
