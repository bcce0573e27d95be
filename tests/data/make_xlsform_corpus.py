"""Write the questionnaires of tests/data/xlsform/corpus/ (run once; the files are committed).

Each is a small questionnaire of this project's kind (workshop feedback, orientation
courses, learning checks) written the way real XLSForms are: some without language codes
or a title, languages named in words, metadata rows, locations, media in a zip, CSV lists,
appearances, Markdown, pyxform's type aliases. `expected.json` says, per file, what the
import must give and which answers the test posts (anything not named is answered by type).

    python tests/data/make_xlsform_corpus.py      # the .xls needs xlwt (pip install xlwt)
"""

import io
import json
import struct
import wave
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent / "xlsform" / "corpus"
YES_NO = [{"list_name": "yes_no", "name": "yes", "label": "Yes"}, {"list_name": "yes_no", "name": "no", "label": "No"}]


def png(red: int, green: int, blue: int) -> bytes:
    """A 2x2 picture of one colour (a valid PNG)."""
    raw = b"".join(b"\x00" + bytes([red, green, blue]) * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def wav() -> bytes:
    """A tenth of a second of silence."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(1)
        sound.setframerate(8000)
        sound.writeframes(b"\x80" * 800)
    return out.getvalue()


def xlsx(survey: list[dict], choices: list[dict] = (), settings: dict | None = None,
         extra: dict | None = None) -> bytes:
    """An .xlsx whose columns are the keys of the rows, in order of appearance."""
    book = Workbook()
    book.remove(book.active)
    sheets = {"survey": survey, "choices": list(choices), **(extra or {})}
    if settings is not None:
        sheets["settings"] = [settings]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        columns = list(dict.fromkeys(key for row in rows for key in row)) or ["list_name", "name", "label"]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(survey: list[dict], choices: list[dict], settings: dict) -> bytes:
    """The same as `xlsx`, in the old binary .xls format."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for title, rows in (("survey", survey), ("choices", choices), ("settings", [settings])):
        sheet = book.add_sheet(title)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        for index, column in enumerate(columns):
            sheet.write(0, index, column)
        for number, row in enumerate(rows, start=1):
            for index, column in enumerate(columns):
                if row.get(column) is not None:
                    sheet.write(number, index, row[column])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def packed(form_name: str, form: bytes, files: dict[str, bytes]) -> bytes:
    """A zip as KoboToolbox exports a form with its media: the workbook and files side by side."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(form_name, form)
        for name, content in files.items():
            archive.writestr(f"media/{name}", content)
    return out.getvalue()


FORMS: dict[str, tuple[bytes, dict]] = {}


def form(file_name: str, content: bytes, **expected) -> None:
    FORMS[file_name] = (content, expected)


# 1. Persian only, no language code anywhere, no default_language: detected from the script.
form("persian_no_codes.xlsx", xlsx([
    {"type": "text", "name": "city", "label": "در کدام شهر زندگی می‌کنید؟"},
    {"type": "select_one yes_no", "name": "useful", "label": "آیا کارگاه برای کار شما مفید بود؟"},
    {"type": "integer", "name": "sessions", "label": "در چند جلسه شرکت کردید؟", "constraint": ". >= 0 and . <= 10"},
], [{"list_name": "yes_no", "name": "yes", "label": "بله"}, {"list_name": "yes_no", "name": "no", "label": "نه"}],
    {"form_id": "persian_no_codes", "form_title": "نظرسنجی کارگاه"}),
    languages=["fa"], title="نظرسنجی کارگاه", warnings=["taken as 'fa' (Arabic script)"],
    answers={"sessions": "۴"}, stored={"sessions": 4, "useful": "yes"})

# 2. Pashto only, no codes: Pashto letters tell it from Persian.
form("pashto_no_codes.xlsx", xlsx([
    {"type": "select_one yes_no", "name": "understood", "label": "ایا تاسو د ښوونکي په خبرو ښه پوه شوئ؟"},
    {"type": "text", "name": "wish", "label": "تاسو په راتلونکي ټولګي کې څه زده کول غواړئ؟"},
], [{"list_name": "yes_no", "name": "yes", "label": "هو"}, {"list_name": "yes_no", "name": "no", "label": "نه"}],
    {"form_id": "pashto_no_codes", "form_title": "د کورس نظر"}),
    languages=["ps"], warnings=["taken as 'ps'"], stored={"understood": "yes"})

# 3. English, no settings sheet at all: the file name is the id and the title.
form("no_title_no_settings.xlsx", xlsx([
    {"type": "text", "name": "trainer", "label": "Who was your trainer?"},
    {"type": "select_one yes_no", "name": "again", "label": "Would you come to another session?"},
], YES_NO), languages=["en"], form_id="no_title_no_settings", title="no_title_no_settings",
    warnings=["no form_title, so the form id 'no_title_no_settings' is the title"])

# 4. Languages written as names only, in English and in their own words.
form("language_names.xlsx", xlsx([
    {"type": "select_one agree", "name": "clear", "label::English": "The course was clear.",
     "label::Dari": "دوره واضح بود.", "label::Pashto": "کورس روښانه و.", "label::Français": "Le cours était clair."},
    {"type": "text", "name": "remark", "label::English": "Anything else?", "label::Dari": "چیز دیگری؟",
     "label::Pashto": "نور څه؟", "label::Français": "Autre chose ?"},
], [{"list_name": "agree", "name": "yes", "label::English": "Agree", "label::Dari": "موافقم",
     "label::Pashto": "موافق یم", "label::Français": "D'accord"},
    {"list_name": "agree", "name": "no", "label::English": "Disagree", "label::Dari": "مخالفم",
     "label::Pashto": "مخالف یم", "label::Français": "Pas d'accord"}],
    {"form_id": "language_names", "form_title": "Course check", "default_language": "English"}),
    languages=["en", "fa_AF", "ps", "fr"], stored={"clear": "yes"})

# 5. Names in other languages and a code written without a space.
form("language_names_spanish.xlsx", xlsx([
    {"type": "text", "name": "nombre", "label::Español": "¿Cómo se llama su organización?",
     "label::Indonesian(id)": "Apa nama organisasi Anda?", "label::English (en)": "What is your organisation?"},
    {"type": "integer", "name": "staff", "label::Español": "¿Cuántas personas trabajan allí?",
     "label::Indonesian(id)": "Berapa orang bekerja di sana?", "label::English (en)": "How many people work there?"},
], [], {"form_id": "language_names_spanish", "form_title": "Organización", "default_language": "Español"}),
    languages=["es", "id", "en"], stored={"staff": 3})

# 6. Metadata rows, kept and filled.
form("metadata_rows.xlsx", xlsx([
    {"type": "start", "name": "started"}, {"type": "end", "name": "ended"}, {"type": "today", "name": "day"},
    {"type": "deviceid", "name": "device"}, {"type": "username", "name": "user"}, {"type": "audit", "name": "audit"},
    {"type": "text", "name": "topic", "label": "Which topic was most useful?"},
], [], {"form_id": "metadata_rows", "form_title": "Session feedback", "default_language": "English (en)"}),
    languages=["en"], warnings=["an audit log is not kept here"], filled=["started", "ended", "day"])

# 7. A location, one taken when the form opens, and a barcode typed as text.
form("location_and_barcode.xlsx", xlsx([
    {"type": "start-geopoint", "name": "where_opened"},
    {"type": "geopoint", "name": "venue", "label": "Where was the workshop held?", "required": "yes"},
    {"type": "barcode", "name": "badge", "label": "Badge number"},
], [], {"form_id": "location_and_barcode", "form_title": "Venue check", "default_language": "en"}),
    languages=["en"], warnings=["a barcode is typed as text here"],
    answers={"venue": "35.6892 51.389"}, stored={"venue": "35.6892 51.389", "badge": "a reply"})

# 8. Acknowledge and trigger as one OK box; a note that shows an answer.
form("acknowledge_and_notes.xlsx", xlsx([
    {"type": "acknowledge", "name": "consent", "label": "I agree to answer these questions.", "required": "yes"},
    {"type": "trigger", "name": "ready", "label": "Tap OK when you are ready."},
    {"type": "text", "name": "first_name", "label": "Your first name"},
    {"type": "note", "name": "hello", "label": "Thank you, **${first_name}**!"},
], [], {"form_id": "acknowledge_and_notes", "form_title": "Consent", "default_language": "en"}),
    languages=["en"], stored={"consent": "OK", "ready": "OK"})

# 9. Ranges: a short scale, a long slider and a star rating.
form("ranges.xlsx", xlsx([
    {"type": "range", "name": "confidence", "label": "How confident are you now? (0-10)",
     "parameters": "start=0 end=10 step=1"},
    {"type": "range", "name": "percent", "label": "How much of the course did you follow?",
     "parameters": "start=0 end=100 step=5"},
    {"type": "range", "name": "stars", "label": "Your rating", "appearance": "rating",
     "parameters": "start=1 end=5 step=1"},
], [], {"form_id": "ranges", "form_title": "Scales", "default_language": "en"}),
    languages=["en"], answers={"confidence": "7", "percent": "85", "stars": "4"},
    stored={"confidence": 7, "percent": 85, "stars": 4}, types={"percent": "range", "stars": "rating"})

# 10. Rank the topics.
form("rank_topics.xlsx", xlsx([
    {"type": "rank topics", "name": "order", "label": "Put the topics in order, most useful first."},
], [{"list_name": "topics", "name": "law", "label": "Law"},
    {"list_name": "topics", "name": "health", "label": "Health"},
    {"list_name": "topics", "name": "work", "label": "Work"}],
    {"form_id": "rank_topics", "form_title": "Topics", "default_language": "en"}),
    languages=["en"], answers={"order": ["work", "law", "health"]}, stored={"order": ["work", "law", "health"]})

# 11. Appearances that change what people see, and one this product does not know.
form("appearances.xlsx", xlsx([
    {"type": "select_one district", "name": "district", "label": "District", "appearance": "minimal"},
    {"type": "select_one agree", "name": "pace", "label": "The pace was right.", "appearance": "likert"},
    {"type": "select_one agree", "name": "room", "label": "The room was comfortable.", "appearance": "horizontal"},
    {"type": "select_multiple agree", "name": "pick", "label": "Pick any", "appearance": "columns"},
    {"type": "select_one agree", "name": "quick", "label": "Quick one", "appearance": "quick horizontal-compact"},
    {"type": "date", "name": "when", "label": "When did you arrive?", "appearance": "no-calendar"},
    {"type": "text", "name": "phone", "label": "Phone number", "appearance": "numbers"},
    {"type": "text", "name": "story", "label": "Tell us more", "appearance": "multiline"},
    {"type": "integer", "name": "spin", "label": "A number", "appearance": "spinner"},
], [{"list_name": "district", "name": "d1", "label": "Tehran"},
    {"list_name": "district", "name": "d2", "label": "Mashhad"},
    {"list_name": "agree", "name": "agree", "label": "Agree"},
    {"list_name": "agree", "name": "neutral", "label": "Neutral"},
    {"list_name": "agree", "name": "disagree", "label": "Disagree"}],
    {"form_id": "appearances", "form_title": "Appearances", "default_language": "en"}),
    languages=["en"], warnings=["appearance 'spinner' is not known here"], answers={"when": "2025-11-20"},
    stored={"district": "d1", "when": "2025-11-20"})

# 12. A table of questions with the same options: a label row, then rows without labels.
form("label_table.xlsx", xlsx([
    {"type": "begin_group", "name": "table", "label": "How often do you...", "appearance": "field-list"},
    {"type": "select_one often", "name": "header", "label": "", "appearance": "label"},
    {"type": "select_one often", "name": "read", "label": "read the news?", "appearance": "list-nolabel"},
    {"type": "select_one often", "name": "visit", "label": "visit the clinic?", "appearance": "list-nolabel"},
    {"type": "end_group"},
], [{"list_name": "often", "name": "never", "label": "Never"}, {"list_name": "often", "name": "sometimes",
                                                                "label": "Sometimes"},
    {"list_name": "often", "name": "often", "label": "Often"}],
    {"form_id": "label_table", "form_title": "Habits", "default_language": "en"}),
    languages=["en"], answers={"header": ""}, stored={"read": "never"})

# 13. Markdown and answers inside labels and hints.
form("markdown_labels.xlsx", xlsx([
    {"type": "text", "name": "name", "label": "# Welcome\nYour **name**, please"},
    {"type": "integer", "name": "years", "label": "How many years have you worked, _${name}_?",
     "hint": 'See <span style="color:red">the guide</span> at [our site](https://example.org/guide)'},
    {"type": "note", "name": "summary", "label": "${name} has worked ${years} years. <b>not bold</b>"},
], [], {"form_id": "markdown_labels", "form_title": "Markdown", "default_language": "en"}),
    languages=["en"], answers={"name": "Zahra"}, stored={"name": "Zahra"},
    page_contains=['<span class="md-h md-h1">Welcome</span>', "<strong>name</strong>",
                   '<span class="md-c md-c-red">the guide</span>', "&lt;b&gt;not bold&lt;/b&gt;",
                   '<span class="ref" data-ref="name"></span>'])

# 14. pyxform's type aliases.
form("type_aliases.xlsx", xlsx([
    {"type": "string", "name": "org", "label": "Organisation"},
    {"type": "int", "name": "people", "label": "People"},
    {"type": "select one yes_no", "name": "paid", "label": "Paid?"},
    {"type": "select all that apply topics", "name": "topics", "label": "Topics"},
    {"type": "q decimal", "name": "hours", "label": "Hours"},
    {"type": "time", "name": "arrived", "label": "Arrival time"},
    {"type": "dateTime", "name": "left", "label": "Left at"},
    {"type": "photo", "name": "picture", "label": "A photo of the room"},
], [*YES_NO, {"list_name": "topics", "name": "law", "label": "Law"},
    {"list_name": "topics", "name": "work", "label": "Work"}],
    {"form_id": "type_aliases", "form_title": "Aliases", "default_language": "en"}),
    languages=["en"],
    answers={"arrived": "09:30", "left": "2025-11-20T17:15"},
    stored={"people": 3, "paid": "yes", "topics": ["law"], "hours": 2.5, "arrived": "09:30"},
    types={"org": "text", "people": "integer", "hours": "decimal", "picture": "image", "left": "datetime"})

# 15. Typographic quotes in expressions, as word processors write them.
form("smart_quotes.xlsx", xlsx([
    {"type": "select_one yes_no", "name": "interpreter", "label": "Was there an interpreter?"},
    {"type": "text", "name": "language", "label": "Which language?", "relevant": "${interpreter} = “yes”"},
    {"type": "text", "name": "why", "label": "Why not?", "relevant": "${interpreter} = ‘no’"},
], YES_NO, {"form_id": "smart_quotes", "form_title": "Quotes", "default_language": "en"}),
    languages=["en"], answers={"interpreter": "yes", "language": "Dari"}, stored={"language": "Dari"},
    absent=["why"])

# 16. The same name in two groups.
form("same_name_in_groups.xlsx", xlsx([
    {"type": "begin_group", "name": "before", "label": "Before the course"},
    {"type": "integer", "name": "score", "label": "Your score before"},
    {"type": "end_group"},
    {"type": "begin_group", "name": "after", "label": "After the course"},
    {"type": "integer", "name": "score", "label": "Your score after"},
    {"type": "end_group"},
    {"type": "text", "name": "comment", "label": "Comment"},
], [], {"form_id": "same_name_in_groups", "form_title": "Scores", "default_language": "en"}),
    languages=["en"], warnings=["so its answers are kept as 'after.score'"],
    answers={"before.score": "2", "after.score": "5"}, stored={"before.score": 2, "after.score": 5})

# 17. A zip with pictures on a question and on choices (picture choices), a sound, one file missing.
form("media_pictures.zip", packed("media_pictures.xlsx", xlsx([
    {"type": "select_one mood", "name": "mood", "label::English (en)": "How do you feel about the course?",
     "label::Dari (prs)": "دربارهٔ دوره چه احساسی دارید؟", "media::image::English (en)": "course.png",
     "media::image::Dari (prs)": "course_prs.png", "audio": "question.wav"},
    {"type": "note", "name": "map", "label::English (en)": "The venue", "label::Dari (prs)": "محل",
     "image": "venue.png"},
], [{"list_name": "mood", "name": "happy", "label::English (en)": "Happy", "label::Dari (prs)": "خوش",
     "image": "happy.png"},
    {"list_name": "mood", "name": "sad", "label::English (en)": "Sad", "label::Dari (prs)": "ناراحت",
     "image": "sad.png"}],
    {"form_id": "media_pictures", "form_title": "Pictures", "default_language": "English (en)"}),
    {"course.png": png(30, 90, 160), "course_prs.png": png(30, 160, 90), "question.wav": wav(),
     "happy.png": png(250, 200, 0), "sad.png": png(90, 90, 90)}),
    languages=["en", "fa_AF"], warnings=["image file 'venue.png' is not in the upload"],
    media_files=["course.png", "course_prs.png", "question.wav", "happy.png", "sad.png"], stored={"mood": "happy"},
    page_contains=['class="option picture"', "<audio"])

# 18. A zip with a CSV list (select_one_from_file), and a form naming a CSV it did not bring.
form("csv_choices.zip", packed("csv_choices.xlsx", xlsx([
    {"type": "select_one_from_file provinces.csv", "name": "province", "label": "Province"},
    {"type": "select_one_from_file districts.csv", "name": "district", "label": "District"},
], [], {"form_id": "csv_choices", "form_title": "Places", "default_language": "en"}),
    {"provinces.csv": "name,label,label::Dari,region\nkabul,Kabul,کابل,central\nherat,Herat,هرات,west\n".encode()}),
    languages=["en", "fa_AF"], warnings=["the choices file 'districts.csv' is not in the upload"],
    media_files=["provinces.csv"], answers={"province": "herat"}, stored={"province": "herat"},
    types={"district": "text"})

# 19. select_one_external with its external_choices sheet.
form("external_choices.xlsx", xlsx([
    {"type": "select_one_external centre", "name": "centre", "label": "Training centre"},
], [], {"form_id": "external_choices", "form_title": "Centres", "default_language": "en"},
    extra={"external_choices": [{"list_name": "centre", "name": "c1", "label": "North centre"},
                                {"list_name": "centre", "name": "c2", "label": "South centre"}]}),
    languages=["en"], answers={"centre": "c2"}, stored={"centre": "c2"})

# 20. The author's version, an instance name and a translated title.
form("version_and_instance_name.xlsx", xlsx([
    {"type": "text", "name": "participant", "label::English (en)": "Participant code",
     "label::Persian (fa)": "کد شرکت‌کننده"},
], [], {"form_id": "version_and_instance_name", "form_title": "Attendance", "translated_title::Persian (fa)": "حضور",
        "default_language": "English (en)", "version": "2025110301",
        "instance_name": "concat('code-', ${participant})"}),
    languages=["en", "fa"], version="2025110301", answers={"participant": "A17"}, stored={"participant": "A17"},
    page_contains=["2025110301"])

# 21. The old .xls format.
XLS_ROWS = ([{"type": "text", "name": "school", "label": "Name of the school"},
             {"type": "select_one yes_no", "name": "water", "label": "Is there drinking water?"}],
            YES_NO, {"form_id": "old_excel", "form_title": "School visit", "default_language": "en"})
try:
    form("old_excel.xls", xls(*XLS_ROWS), languages=["en"], stored={"water": "yes"})
except ImportError:
    print("xlwt is not installed: old_excel.xls is left as it is")

# 22. A workbook with the wrong extension: read by its content.
form("wrong_extension.dat", xlsx([
    {"type": "text", "name": "venue", "label": "Venue"},
], [], {"form_id": "wrong_extension", "form_title": "Venue", "default_language": "en"}), languages=["en"])

# 23. Read-only, defaults and a note with a calculation.
form("read_only_and_defaults.xlsx", xlsx([
    {"type": "text", "name": "course", "label": "Course", "default": "Orientation", "read_only": "yes"},
    {"type": "integer", "name": "days", "label": "Days", "default": "3"},
    {"type": "calculate", "name": "hours", "calculation": "${days} * 6"},
    {"type": "note", "name": "total", "label": "That is ${hours} hours."},
], [], {"form_id": "read_only_and_defaults", "form_title": "Course", "default_language": "en"}),
    languages=["en"], answers={"course": "Something else", "days": "3"}, stored={"course": "Orientation", "hours": 18})

# 24. File answers: a photo and a file are answers; sound and video are notes that say so; the form imports.
form("file_answers.xlsx", xlsx([
    {"type": "image", "name": "photo", "label": "Photo of the certificate"},
    {"type": "audio", "name": "voice", "label": "Record your answer"},
    {"type": "file", "name": "document", "label": "Attach the report"},
    {"type": "video", "name": "clip", "label": "A short video"},
    {"type": "text", "name": "written", "label": "Or write your answer"},
], [], {"form_id": "file_answers", "form_title": "Evidence", "default_language": "en"}),
    languages=["en"], warnings=["'audio' answers", "a file answer takes a PDF or a picture", "'video' answers"],
    types={"photo": "image", "voice": "note", "document": "file", "clip": "note"},
    page_contains=["cannot be answered on this page", 'type="file" data-file="image"'])

# 25. pulldata() from a CSV that came in the zip.
form("pulldata_trainers.zip", packed("pulldata_trainers.xlsx", xlsx([
    {"type": "text", "name": "code", "label": "Trainer code"},
    {"type": "calculate", "name": "trainer", "calculation": "pulldata('trainers', 'name', 'code', ${code})"},
    {"type": "note", "name": "confirm", "label": "Your trainer was ${trainer}."},
], [], {"form_id": "pulldata_trainers", "form_title": "Trainer", "default_language": "en"}),
    {"trainers.csv": b"code,name\nT1,Maryam\nT2,Ahmad\n"}),
    languages=["en"], answers={"code": "T2"}, stored={"code": "T2", "trainer": "Ahmad"})

# 26. Cascading drop-downs (appearance minimal) with a choice filter.
form("cascading_dropdowns.xlsx", xlsx([
    {"type": "select_one province", "name": "province", "label": "Province", "appearance": "minimal"},
    {"type": "select_one district", "name": "district", "label": "District", "appearance": "minimal",
     "choice_filter": "province = ${province}"},
], [{"list_name": "province", "name": "kabul", "label": "Kabul"}, {"list_name": "province", "name": "herat",
                                                                    "label": "Herat"},
    {"list_name": "district", "name": "paghman", "label": "Paghman", "province": "kabul"},
    {"list_name": "district", "name": "guzara", "label": "Guzara", "province": "herat"}],
    {"form_id": "cascading_dropdowns", "form_title": "Places", "default_language": "en"}),
    languages=["en"], answers={"province": "herat", "district": "guzara"}, stored={"district": "guzara"},
    page_contains=['<option value="paghman" data-choice=', '"__choice.province": "kabul"}\' hidden disabled>'])


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (content, facts) in FORMS.items():
        (HERE / name).write_bytes(content)
        expected[name] = facts
    old = json.loads((HERE / "expected.json").read_text()) if (HERE / "expected.json").exists() else {}
    if "old_excel.xls" in old and "old_excel.xls" not in expected:
        expected["old_excel.xls"] = old["old_excel.xls"]
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(FORMS)} questionnaires to {HERE}")


if __name__ == "__main__":
    main()
