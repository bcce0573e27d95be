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
    page.wait_for_function("() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/sync.js'))")
    seen = page.evaluate(TIMELINE)

    before = {s["url"] for s in seen["scripts"] if s["start"] < seen["ready"]}
    after = {s["url"].rsplit("/", 1)[1] for s in seen["scripts"] if s["start"] >= seen["ready"]}
    assert before, "the page fetched no script before it was ready"
    assert before <= set(seen["preloaded"]), f"found late, not preloaded: {before - set(seen['preloaded'])}"
    assert {"sync.js", "outbox.js"} <= after
    phone.close()
