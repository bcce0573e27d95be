"""Write the XLSForm fixtures in tests/data/xlsform/ (run once; the .xlsx files are committed).

`cultural_orientation_kobo.xlsx` is laid out as KoboToolbox downloads a form: Persian,
Pashto and English columns, groups, relevance, constraints, choice lists, a star rating
as `range`, metadata rows. `unsupported_rows.xlsx` holds what the engine cannot
represent (geopoint, a repeat, a photo, choices from a file) for the by-row report.

    python tests/data/make_xlsform_fixture.py
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent / "xlsform"

FA, PS, EN = "Persian (fa)", "Pashto (ps)", "English (en)"
SURVEY_COLUMNS = [
    "type", "name", f"label::{FA}", f"label::{PS}", f"label::{EN}", f"hint::{FA}", f"hint::{PS}", f"hint::{EN}",
    "required", f"required_message::{FA}", f"required_message::{PS}", f"required_message::{EN}", "relevant",
    "constraint", f"constraint_message::{FA}", f"constraint_message::{PS}", f"constraint_message::{EN}",
    "calculation", "default", "appearance", "parameters",
]


def texts(field, fa, ps, en):
    return {f"{field}::{FA}": fa, f"{field}::{PS}": ps, f"{field}::{EN}": en}


SURVEY = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "note", "name": "intro", **texts(
        "label",
        "سلام، خوش آمدید. این پرسش‌نامه بی‌نام است و نام شما را نمی‌پرسیم.",
        "سلام او ښه راغلاست. دا پوښتنلیک بې نومه دی او ستاسو نوم نه پوښتو.",
        "Hello and welcome. This questionnaire is anonymous: we do not ask your name.")},
    {"type": "begin_group", "name": "about_you", "appearance": "field-list", **texts(
        "label", "دربارهٔ دوره و شما", "د کورس او ستاسو په اړه", "About the course and you")},
    {"type": "date", "name": "course_date", "required": "yes", "default": "today()",
     "constraint": ". <= today()",
     **texts("label", "دوره در چه تاریخی بود؟", "کورس په کومه نېټه و؟", "What was the date of the course?"),
     **texts("constraint_message", "تاریخ نمی‌تواند بعد از امروز باشد.", "نېټه باید له نن ورځې وروسته نه وي.",
             "The date cannot be after today.")},
    {"type": "integer", "name": "age", "constraint": ". >= 15 and . <= 100",
     **texts("label", "چند سال دارید؟", "ستاسو عمر څو کاله دی؟", "How old are you?"),
     **texts("hint", "فقط عدد را بنویسید.", "یوازې شمېره ولیکئ.", "Write the number only."),
     **texts("constraint_message", "لطفاً عددی بین ۱۵ و ۱۰۰ بنویسید.",
             "مهرباني وکړئ د ۱۵ او ۱۰۰ ترمنځ یوه شمېره ولیکئ.", "Please enter a number between 15 and 100.")},
    {"type": "select_one gender", "name": "gender",
     **texts("label", "جنسیت شما", "ستاسو جنسیت", "Your gender")},
    {"type": "end_group"},
    {"type": "begin_group", "name": "classes", **texts("label", "کلاس‌ها و مربی", "درسونه او ښوونکی",
                                                      "The classes and the trainer")},
    {"type": "select_one yes_no", "name": "interpreter_used",
     **texts("label", "آیا در کلاس مترجم بود؟", "آیا په ټولګي کې ژباړونکی و؟",
             "Was there an interpreter in the class?")},
    {"type": "select_one agreement", "name": "interpreter_clear", "appearance": "likert",
     "relevant": "${interpreter_used} = 'yes'",
     **texts("label", "حرف‌های مترجم را خوب می‌فهمیدم.", "زه د ژباړونکي په خبرو ښه پوهېدم.",
             "I understood the interpreter well.")},
    {"type": "select_multiple topics", "name": "helpful_topics", "constraint": "count-selected(.) <= 3",
     **texts("label", "کدام موضوع‌ها برای شما از همه مفیدتر بود؟", "کومې موضوعګانې ستاسو لپاره تر ټولو ګټورې وې؟",
             "Which topics helped you the most?"),
     **texts("hint", "حداکثر سه مورد را انتخاب کنید.", "تر ډېره درې وټاکئ.", "Choose up to three."),
     **texts("constraint_message", "لطفاً حداکثر سه مورد انتخاب کنید.", "مهرباني وکړئ له درېیو زیات مه ټاکئ.",
             "Please choose no more than three.")},
    {"type": "text", "name": "helpful_topics_other", "relevant": "selected(${helpful_topics}, 'other')",
     **texts("label", "کدام موضوع دیگر؟ لطفاً بنویسید.", "کوم بل شی؟ مهرباني وکړئ ولیکئ.",
             "Which other topic? Please write it.")},
    {"type": "end_group"},
    {"type": "range", "name": "overall_rating", "required": "yes", "appearance": "rating",
     "parameters": "start=1 end=5 step=1",
     **texts("label", "روی هم رفته، به این دوره چند ستاره می‌دهید؟", "په ټولیز ډول، دې کورس ته څو ستوري ورکوئ؟",
             "Overall, how many stars do you give this course?"),
     **texts("required_message", "لطفاً به دوره ستاره بدهید.", "مهرباني وکړئ کورس ته ستوري ورکړئ.",
             "Please give the course a rating.")},
    {"type": "text", "name": "why_low", "relevant": "${overall_rating} <= 2", "appearance": "multiline",
     **texts("label", "متأسفیم که دوره برایتان خوب نبود. چه چیزی کم بود یا خوب نبود؟",
             "خواشیني یو چې کورس ستاسو لپاره ښه نه و. کوم شی کم و یا ښه نه و؟",
             "We are sorry the course was not good for you. What was missing or not good?")},
    {"type": "calculate", "name": "low_rating", "calculation": "if(${overall_rating} <= 2, 1, 0)"},
    {"type": "note", "name": "thanks", **texts(
        "label", "از وقتی که گذاشتید ممنونیم. سفر خوبی داشته باشید!", "ستاسو له وخت څخه مننه. سفر مو په خیر!",
        "Thank you for your time. We wish you a good journey!")},
]

CHOICES = [
    ("yes_no", "yes", "بله", "هو", "Yes"),
    ("yes_no", "no", "نه", "نه", "No"),
    ("agreement", "1", "کاملاً مخالفم", "په کلکه مخالف یم", "Strongly disagree"),
    ("agreement", "2", "مخالفم", "مخالف یم", "Disagree"),
    ("agreement", "3", "نه موافقم، نه مخالف", "نه موافق یم، نه مخالف", "Neither agree nor disagree"),
    ("agreement", "4", "موافقم", "موافق یم", "Agree"),
    ("agreement", "5", "کاملاً موافقم", "په کلکه موافق یم", "Strongly agree"),
    ("gender", "female", "زن", "ښځه", "Woman"),
    ("gender", "male", "مرد", "نارینه", "Man"),
    ("gender", "no_answer", "نمی‌خواهم بگویم", "نه غواړم ووایم", "Prefer not to say"),
    ("topics", "housing", "خانه و اجاره", "کور او کرایه", "Housing and rent"),
    ("topics", "work", "کار و پیدا کردن شغل", "کار او د کار موندل", "Work and finding a job"),
    ("topics", "health", "بهداشت و درمان", "روغتیا او درملنه", "Health and medical care"),
    ("topics", "laws_rights", "قانون و حقوق شما", "قانون او ستاسو حقونه", "Laws and your rights"),
    ("topics", "other", "چیز دیگر", "بل شی", "Something else"),
]

SETTINGS = {"form_title": "نظرسنجی دورهٔ آشنایی فرهنگی", "form_id": "co_course_feedback",
            "version": "2024110101", "default_language": FA, "style": "pages"}

UNSUPPORTED = [
    {"type": "text", "name": "village", f"label::{EN}": "Village", "media::image::English (en)": "village.png"},
    {"type": "geopoint", "name": "location", f"label::{EN}": "Where are you?"},
    {"type": "begin_repeat", "name": "children", f"label::{EN}": "Children"},
    {"type": "integer", "name": "child_age", f"label::{EN}": "Age of the child"},
    {"type": "end_repeat"},
    {"type": "image", "name": "photo", f"label::{EN}": "Take a photo"},
    {"type": "select_one_from_file districts.csv", "name": "district", f"label::{EN}": "District"},
]


def sheet(book, title, columns, rows):
    ws = book.create_sheet(title)
    ws.append(columns)
    for row in rows:
        ws.append([row.get(column) for column in columns])


def main():
    HERE.mkdir(exist_ok=True)
    book = Workbook()
    book.remove(book.active)
    sheet(book, "survey", SURVEY_COLUMNS, SURVEY)
    choice_columns = ["list_name", "name", f"label::{FA}", f"label::{PS}", f"label::{EN}"]
    sheet(book, "choices", choice_columns, [dict(zip(choice_columns, row, strict=True)) for row in CHOICES])
    sheet(book, "settings", list(SETTINGS), [SETTINGS])
    book.save(HERE / "cultural_orientation_kobo.xlsx")

    book = Workbook()
    book.remove(book.active)
    sheet(book, "survey", ["type", "name", f"label::{EN}", "media::image::English (en)"], UNSUPPORTED)
    sheet(book, "choices", ["list_name", "name", f"label::{EN}"], [])
    sheet(book, "settings", ["form_id", "form_title", "default_language"],
          [{"form_id": "unsupported_rows", "form_title": "Unsupported rows", "default_language": EN}])
    book.save(HERE / "unsupported_rows.xlsx")


if __name__ == "__main__":
    main()
