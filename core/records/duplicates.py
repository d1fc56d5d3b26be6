"""The duplicate finder (查重): the likely duplicates of an account, contact or lead, one set of rules for the
create and edit forms and the CSV import.

A record is a likely duplicate of another when
- their e-mail addresses are equal, regardless of case and surrounding blanks;
- a phone number of one equals a phone number of the other after normalisation (:func:`phone_key`: the
  digits only, without a leading +86, 0086 or trunk 0; at least :data:`MIN_PHONE_DIGITS` digits);
- their names are equal regardless of case and blanks: an account's name; a contact's first and last name
  within the same account; a lead's first and last name within the same company.

Only records the user may read are candidates (``core.access.visible`` in the same SQL query): a user who
may not read the other record is shown nothing, so the warning never reveals that it exists.

The stored side is normalised in SQL (``LOWER``/``TRIM``/``REPLACE``, the same on SQLite, PostgreSQL and
MariaDB), so the check needs no extra column; it reads the user's visible rows of one table."""
import re
from dataclasses import dataclass, field

import peewee

from core import access
from core.babel import lazy_gettext as _l

MIN_PHONE_DIGITS = 5
LIMIT = 10
# what people type between the digits of a phone number; the stored side drops these in SQL
PHONE_SEPARATORS = (" ", "-", "(", ")", "+", ".", "/")
PREFIXES = ("", "0", "86", "860", "0086", "00860")   # what a stored number may carry before its key

REASONS = {"email": _l("Same e-mail address"), "phone": _l("Same phone number"), "name": _l("Same name")}


@dataclass(frozen=True)
class Rules:
    """Which fields of a record type the finder compares: e-mail fields, phone fields, the name fields
    (compared together) and the field that must be equal for names to count (``scope``), if any."""
    emails: tuple = ()
    phones: tuple = ()
    names: tuple = ()
    scope: str = ""


RULES = {
    "account": Rules(emails=("email",), phones=("phone",), names=("name",)),
    "contact": Rules(emails=("email",), phones=("phone", "mobile"), names=("first_name", "last_name"),
                     scope="account"),
    "lead": Rules(emails=("email",), phones=("phone",), names=("first_name", "last_name"), scope="company"),
}


@dataclass
class Duplicate:
    record: object
    reasons: list = field(default_factory=list)     # keys of REASONS

    @property
    def reason_labels(self):
        return [str(REASONS[r]) for r in self.reasons]


def phone_key(text):
    """The comparable part of a phone number: digits only, a leading +86/0086 and a trunk 0 dropped;
    "" when fewer than MIN_PHONE_DIGITS digits remain."""
    text = (text or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+86") or digits.startswith("0086"):
        digits = digits[2:] if text.startswith("+") else digits[4:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def _text(value):
    return "" if value is None else str(value)


def name_key(value):
    """A name as compared: lower case, without any blanks."""
    return re.sub(r"\s+", "", _text(value)).lower()


def email_key(value):
    return _text(value).strip().lower()


def _sql_phone(column):
    expr = column
    for sep in PHONE_SEPARATORS:
        expr = peewee.fn.REPLACE(expr, sep, "")
    return expr


def _sql_name(column):
    expr = peewee.fn.LOWER(column)
    for blank in (" ", "\t", "\u3000"):
        expr = peewee.fn.REPLACE(expr, blank, "")
    return expr


def _keys(rules, values):
    emails = {email_key(values.get(n)) for n in rules.emails} - {""}
    phones = {phone_key(values.get(n)) for n in rules.phones} - {""}
    names = tuple(name_key(values.get(n)) for n in rules.names)
    scope = values.get(rules.scope) if rules.scope else None
    if rules.scope and isinstance(scope, str):
        scope = name_key(scope)
    named = any(names) and (not rules.scope or scope not in (None, ""))
    return emails, phones, (names if named else None), scope


def _expression(model, rules, emails, phones, names, scope):
    parts = []
    for name in rules.emails:
        if emails:
            parts.append(peewee.fn.LOWER(peewee.fn.TRIM(model._meta.fields[name])).in_(sorted(emails)))
    if phones:
        candidates = sorted(prefix + key for key in phones for prefix in PREFIXES)
        for name in rules.phones:
            parts.append(_sql_phone(model._meta.fields[name]).in_(candidates))
    if names is not None:
        same = None
        for name, value in zip(rules.names, names):
            part = _sql_name(model._meta.fields[name]) == value
            same = part if same is None else (same & part)
        if rules.scope:
            column = model._meta.fields[rules.scope]
            same &= (column == scope) if isinstance(column, peewee.ForeignKeyField) else (_sql_name(column) == scope)
        parts.append(same)
    expr = None
    for part in parts:
        expr = part if expr is None else (expr | part)
    return expr


def values_of(record):
    """The finder's input from a model instance (the form applied to it, or a stored row)."""
    return dict(record.__data__)


def find(rt, user, values, exclude=None, limit=LIMIT):
    """The likely duplicates among the records of ``rt`` that ``user`` may read: [Duplicate], oldest first.
    ``values`` maps field names to the new or changed record's values; ``exclude`` is its id (an edit)."""
    rules = RULES.get(rt.name)
    if rules is None:
        return []
    emails, phones, names, scope = _keys(rules, values)
    expr = _expression(rt.model, rules, emails, phones, names, scope)
    if expr is None:
        return []
    model = rt.model
    query = access.visible(model.select(), user, rt).where(expr)
    if exclude is not None:
        query = query.where(model.id != exclude)
    out = []
    for record in query.order_by(model.id).limit(limit):
        other_emails, other_phones, other_names, other_scope = _keys(rules, values_of(record))
        reasons = []
        if emails & other_emails:
            reasons.append("email")
        if phones & other_phones:
            reasons.append("phone")
        if names is not None and other_names == names and other_scope == scope:
            reasons.append("name")
        if not reasons:
            reasons.append("phone")     # the SQL side keeps some characters phone_key drops: a phone match
        out.append(Duplicate(record, reasons))
    return out


def compared_changed(rt, before, after):
    """Whether ``after`` differs from ``before`` in a field the finder compares (an edit of a record's
    other fields warns of nothing: its duplicates were shown, or accepted, when it got its name)."""
    rules = RULES[rt.name]
    return _keys(rules, values_of(before)) != _keys(rules, values_of(after))


def supported(rt):
    return rt.name in RULES
