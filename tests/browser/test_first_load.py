"""The first load of a form in a real browser: every module asked for at once, sending's after."""

FORM = "/forms/sample_feedback"

TIMELINE = """
() => ({
  ready: performance.getEntriesByName('survey:ready')[0].startTime,
  preloaded: [...document.querySelectorAll('link[rel=modulepreload]')].map((link) => link.href),
  scripts: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js'))
    .map((e) => ({ url: e.name, start: e.startTime })),
})
"""


def test_modules_needed_to_answer_are_all_preloaded_and_sending_waits(server, open_phone):
    phone = open_phone()
    page = phone.new_page()
    page.goto(server.url + FORM + "?lang=fa")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
    for module in ("sync.js", "outbox.js"):  # sync.js imports outbox.js: both come, one after the other
        page.wait_for_function(
            f"() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/{module}'))")
    seen = page.evaluate(TIMELINE)

    before = {s["url"] for s in seen["scripts"] if s["start"] < seen["ready"]}
    after = {s["url"].rsplit("/", 1)[1] for s in seen["scripts"] if s["start"] >= seen["ready"]}
    assert before, "the page fetched no script before it was ready"
    assert before <= set(seen["preloaded"]), f"found late, not preloaded: {before - set(seen['preloaded'])}"
    assert {"sync.js", "outbox.js"} <= after
    phone.close()


def test_a_question_that_is_not_relevant_never_shows_before_the_scripts(server, open_phone):
    """Painted hidden by the server, shown by the page's checks when it becomes relevant."""
    phone = open_phone()
    page = phone.new_page()
    page.route("**/*.js", lambda route: route.abort())  # the scripts still on their way
    page.goto(server.url + FORM + "?lang=en")
    assert page.is_visible("#q-overall") and not page.is_visible("#q-topics_other")
    page.unroute("**/*.js")
    page.reload()
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
    assert not page.is_visible("#q-topics_other")
    page.get_by_role("checkbox", name="Other").check()
    page.wait_for_selector("#q-topics_other", state="visible")
    phone.close()


def test_without_javascript_every_question_can_be_answered(server, playwright):
    from .conftest import CHROMIUM
    from .conftest import CHROMIUM_ARGS

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + FORM + "?lang=en")
    assert page.is_visible("#q-topics_other")  # nothing could reveal it later, so it is shown
    browser.close()
