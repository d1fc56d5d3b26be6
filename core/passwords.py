"""The password rule (密码规则): one rule for the web forms, the CLI and the passwords core generates; and
how passwords are hashed and checked (below).

A password is refused when it is shorter than ``MIN_LENGTH``, contains the user name, is one of the 30 000
most common passwords, or zxcvbn (the Dropbox estimator, MIT) guesses it too easily: it knows keyboard walks,
repeats, sequences, dates, dictionary words and names, which a plain list does not."""
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from core.babel import lazy_gettext as _l

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


# Password hashes (密码散列). The default is Argon2id at one of the settings OWASP's password storage cheat
# sheet lists as its minimum, all of equal strength (19 MiB × 2 passes … 7 MiB × 5 passes): the last, because
# each thread of a worker keeps the memory of its last check (the allocator does not hand it back: 19 MiB
# settings grew a 4-thread worker from ~130 to ~200 MiB in bench.load). ~22 ms of CPU a check on the 2-vCPU
# machine, where Werkzeug's default scrypt:32768:8:1 took ~140 ms — and OWASP asks scrypt for four times that. A lab's first minute is every student
# logging in at once, so the hash's cost is what the whole class waits on. Werkzeug's methods ("scrypt",
# "pbkdf2:sha256:…") stay accepted, for the tests' fast hash and for hashes made before; a hash made with other
# settings than the configured ones is replaced at the next correct login (``outdated``).
ARGON2ID = "argon2id"
DEFAULT_METHOD = ARGON2ID
ARGON2_DEFAULTS = {"m": 7168, "t": 5, "p": 1}  # memory in KiB, passes, lanes


def _argon2(method):
    """The hasher for ``argon2id`` or ``argon2id:m=…,t=…,p=…`` (any of the three; the rest the defaults)."""
    settings = dict(ARGON2_DEFAULTS)
    _name, _sep, given = method.partition(":")
    for part in filter(None, given.split(",")):
        key, _eq, value = part.partition("=")
        if key not in settings or not value.isdigit():
            raise ValueError(f"Unknown password method {method!r}: write argon2id:m=7168,t=5,p=1")
        settings[key] = int(value)
    return PasswordHasher(time_cost=settings["t"], memory_cost=settings["m"], parallelism=settings["p"])


def make_hash(password, method=DEFAULT_METHOD):
    """The stored form of ``password``: Argon2id for ``argon2id[:…]``, else Werkzeug's ``method``."""
    if method.split(":", 1)[0] == ARGON2ID:
        return _argon2(method).hash(password)
    return generate_password_hash(password, method=method)


def check_hash(password_hash, password):
    """Whether ``password`` is the one ``password_hash`` was made from (either kind; False for no hash)."""
    if not password_hash:
        return False
    if password_hash.startswith("$argon2"):
        try:
            return PasswordHasher().verify(password_hash, password)  # the settings are read from the hash
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(password_hash, password)


def _settings(password_hash):
    """What a hash was made with, without its salt and digest: ``$argon2id$v=19$m=7168,t=5,p=1`` or
    ``scrypt:32768:8:1``."""
    return password_hash.rsplit("$", 2)[0] if password_hash.startswith("$") else password_hash.split("$", 1)[0]


@functools.lru_cache(maxsize=8)
def dummy_hash(method):
    """A hash of a random password made with ``method``: login checks unknown names against it, so every answer
    costs one check of the configured kind; and its settings are what ``outdated`` compares with."""
    return make_hash(secrets.token_urlsafe(16), method)


def outdated(password_hash, method):
    """Whether a hash that just matched was made with other settings than ``method``'s (rehash it then)."""
    return _settings(password_hash) != _settings(dummy_hash(method))
