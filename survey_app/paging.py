"""Read the page number of a paged list from the query string."""

from flask import request

# Far beyond any real list (50 rows a page: 50 million rows), and small enough that
# (page - 1) * page size fits every database's integer.
LAST_PAGE = 1_000_000


def page_number(name: str = "page") -> int:
    """Return the page asked for, from 1 to LAST_PAGE; anything but a whole number means the first page."""
    raw = request.args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > len(str(LAST_PAGE)):
        return LAST_PAGE
    return min(max(int(raw), 1), LAST_PAGE)
