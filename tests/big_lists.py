"""A questionnaire with long choice lists, as real ones have: province, district, village in cascade.

Written for the project (names are made up from numbers and a few Persian words); used by the
tests of long lists and by bench/page_weight.py to weigh such a page.
"""

PROVINCES = 34
DISTRICTS_PER_PROVINCE = 12
VILLAGES_PER_DISTRICT = 10
WORDS = ("آباد", "کلا", "ده", "قلعه", "چشمه", "باغ", "سرای", "گل", "کوه", "ریگ")


def _label(kind_fa: str, kind_en: str, number: int, word: str) -> dict:
    return {"fa": f"{kind_fa} {word} {number}", "en": f"{kind_en} {number}"}


def big_list_form(form_id: str = "villages") -> dict:
    """The questionnaire as a YAML-able mapping (JSON is YAML)."""
    provinces, districts, villages = [], [], []
    for p in range(1, PROVINCES + 1):
        provinces.append({"name": f"p{p}", "label": _label("استان", "Province", p, WORDS[p % 10])})
        for d in range(1, DISTRICTS_PER_PROVINCE + 1):
            district = f"p{p}d{d}"
            districts.append({"name": district, "label": _label("شهرستان", "District", p * 100 + d, WORDS[d % 10]),
                              "data": {"province": f"p{p}"}})
            for v in range(1, VILLAGES_PER_DISTRICT + 1):
                villages.append({"name": f"{district}v{v}",
                                 "label": _label("روستای", "Village", (p * 100 + d) * 100 + v, WORDS[(p + d + v) % 10]),
                                 "data": {"district": district}})
    return {
        "form_id": form_id, "title": {"en": "Where do you live?", "fa": "کجا زندگی می‌کنید؟"},
        "settings": {"default_language": "fa", "languages": ["fa", "en"]},
        "survey": [
            {"type": "select_one province", "name": "province", "label": {"en": "Province", "fa": "استان"},
             "required": "true()"},
            {"type": "select_one district", "name": "district", "label": {"en": "District", "fa": "شهرستان"},
             "choice_filter": "province=${province}", "required": "true()"},
            {"type": "select_one village", "name": "village", "label": {"en": "Village", "fa": "روستا"},
             "choice_filter": "district=${district}"},
            {"type": "text", "name": "comment", "label": {"en": "Anything else?", "fa": "نکته‌ای دیگر؟"}},
        ],
        "choices": {"province": provinces, "district": districts, "village": villages},
    }
