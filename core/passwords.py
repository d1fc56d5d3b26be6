"""The password rule (密码规则): one rule for the web forms, the CLI and the passwords core generates.

A password is refused when it is shorter than ``MIN_LENGTH``, contains the user name, is one of the 30 000
most common passwords, or zxcvbn (the Dropbox estimator, MIT) guesses it too easily: it knows keyboard walks,
repeats, sequences, dates, dictionary words and names, which a plain list does not."""
import secrets

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
MIN_SCORE = 2  # zxcvbn's 0-4 scale: 2 means "somewhat guessable", about 10^8 guesses
COMMON = frozenset(FREQUENCY_LISTS["passwords"])
# Generated passwords: no look-alikes (0/O, 1/l/I), so a printed sheet is typed right.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

HINT = _l("At least %(count)d characters, not a common password and not containing your user name. "
          "A few unrelated words with a digit or sign between them are easy to remember and hard to guess.",
          count=MIN_LENGTH)


def problem(password, username=None):
    """Why ``password`` is refused for the user ``username`` (a translatable sentence), or None."""
    password = password or ""
    name = (username or "").strip().lower()
    if len(password) < MIN_LENGTH:
        return _l("The password needs at least %(count)d characters.", count=MIN_LENGTH)
    if name and name in password.lower():
        return _l("The password cannot contain the user name.")
    if password.lower() in COMMON or zxcvbn(password, user_inputs=[name] if name else [])["score"] < MIN_SCORE:
        return _l("This password is too common or too easy to guess; add unrelated words, digits or signs.")
    return None


def generate(username=None, length=12):
    """A random password that passes the rule for ``username``."""
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if problem(password, username) is None:
            return password
