"""A phone's outbox in a real browser: one answer the server will not take never holds back the others (H2)."""

import json
from pathlib import Path

from playwright.sync_api import expect

from .test_offline import FORM
from .test_offline import fill_sample
from .test_offline import server_count
from .test_offline import status

POISONED = """async (version) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('survey');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const record = { uuid: '0d6c3f1e-8a51-4f0e-9b7a-2c4d6e8f0a1b', form_id: 'sample_feedback', form_version: version,
    lang: 'en', started_at: new Date().toISOString(), submitted_at: new Date().toISOString(), workshop: null,
    answers: { overall: 2, why_low: 'pasted \\u0000 here' } };
  const tx = db.transaction('outbox', 'readwrite');
  tx.objectStore('outbox').put({ uuid: record.uuid, state: 'pending', record, queuedAt: Date.now() });
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  db.close();
}"""


def test_a_nul_typed_into_an_answer_is_refused_next_to_the_field(server, open_phone):
    page = open_phone().new_page()
    page.goto(server.url + FORM + "?lang=en")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    page.locator("input[name=overall][value='2']").check()
    page.locator("[name=why_low]").evaluate("(field) => { field.value = 'a\\u0000b'; }")
    page.click("button[type=submit]")
    expect(page.locator("#error-why_low")).to_contain_text("control character")
    assert server_count(server) == 0


def test_an_answer_an_older_server_refuses_is_kept_aside_and_the_others_are_sent(server, open_phone):
    page = open_phone().new_page()
    sent = []

    def older_server(route):
        """Before this change, one NUL refused the whole batch with 400, on every try."""
        body = route.request.post_data or ""
        sent.append(len(json.loads(body)["submissions"]))
        if "\\u0000" in body:
            route.fulfill(status=400, content_type="application/json",
                          body=json.dumps({"error": "bad_json", "message": "text must not contain U+0000 (NUL)"}))
        else:
            route.continue_()

    page.route("**/api/v1/sync", older_server)
    page.goto(server.url + FORM + "?lang=en")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    page.evaluate(POISONED, page.locator("form.questionnaire").get_attribute("data-form-version"))
    fill_sample(page)
    page.click("button[type=submit]")
    page.wait_for_selector("#saved-thanks:not([hidden])")
    status(page).to_contain_text("No answers")
    assert server_count(server) == 1
    kept = page.evaluate("""async () => {
      const db = await new Promise((resolve) => {
        const r = indexedDB.open('survey');
        r.onsuccess = () => resolve(r.result);
      });
      const all = await new Promise((resolve) => { const r = db.transaction('kept').objectStore('kept').getAll();
                                                   r.onsuccess = () => resolve(r.result); });
      db.close();
      return all.map((entry) => [entry.uuid, entry.status]);
    }""")
    assert kept == [["0d6c3f1e-8a51-4f0e-9b7a-2c4d6e8f0a1b", "refused"]]
    expect(page.locator("#phone-status .status-kept")).to_have_text(
        "Answers on this phone that were not accepted: 1. Please save a copy for the organiser.")
    with page.expect_download() as download:
        page.click("[data-action=save]")
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [record["uuid"] for record in saved["submissions"]] == ["0d6c3f1e-8a51-4f0e-9b7a-2c4d6e8f0a1b"]
