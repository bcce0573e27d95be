"""Staff passwords: one set of rules for the admin pages and the CLI, and checks that take
the same time whether or not the account exists.

Beyond length, a password is refused when it is only spaces, contains the name in the
account's email address, or is among the passwords people pick most (zxcvbn's estimate,
which knows tens of thousands of them, keyboard runs, repeats, dates and common words).
"""

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 500
# zxcvbn's estimate: 3 is "safely unguessable" (about 10^8 guesses or more).
MIN_STRENGTH = 3
# zxcvbn reads no further (its time grows fast with length); a longer password is judged on its start.
STRENGTH_PREFIX = 72
SHORTEST_EMAIL_NAME = 3

PROBLEMS = {
    "short": _l("The password needs at least %(num)d characters.", num=MIN_LENGTH),
    "long": _l("The password can have at most %(num)d characters.", num=MAX_LENGTH),
    "blank": _l("The password cannot be only spaces."),
    "email": _l("The password must not contain the name in the email address."),
    "common": _l("This password is too common or too easy to guess. Try a few words that do not belong together."),
}


def problem(password: str, email: str = "") -> str | None:
    """Return the first rule this password breaks (a key of PROBLEMS), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    if not password.strip():
        return "blank"
    name = email.strip().lower().rpartition("@")[0] if "@" in email else email.strip().lower()
    if len(name) >= SHORTEST_EMAIL_NAME and name in password.lower():
        return "email"
    from zxcvbn import zxcvbn  # its word lists take 80 ms to load: only when a password is set

    if zxcvbn(password[:STRENGTH_PREFIX], user_inputs=[name, email])["score"] < MIN_STRENGTH:
        return "common"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


# The hash of a random password nobody kept, made as hash_password makes them (a test holds it
# to the same method and cost): checking against it takes as long as checking a real account.
STAND_IN_HASH = (
    "scrypt:32768:8:1$Tx7W1MdtZegsJVuW$fd8d5783bbbb6ab83dd707d6c9e9b1366f45cab11c0847d92cea9b8388be399c"
    "cc09d350f11a5719eab47b25b51f0c89c0d3162c75d5049ceb6fb6bc3af8b5a5"
)


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password; without an account, check it against a stand-in so it takes as long."""
    if password_hash is None:
        check_password_hash(STAND_IN_HASH, password)
        return False
    return check_password_hash(password_hash, password)
