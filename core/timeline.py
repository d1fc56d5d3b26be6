"""One timeline per customer (客户时间线): everything that happened with an account, its contacts and its
opportunities, newest first, one page at a time.

Each source (core's own records, each plugin's tables) answers ``zhixin_timeline_items(user, scope, before,
limit)`` with ONE query through ``core.access.visible`` over the scope's records, newest first, at most
``limit`` rows older than the cursor ``before`` (:func:`page` writes that part). Core merges the streams and
cuts the page: keyset pagination on ``(at, kind, id)``, so a page never repeats or skips an item however many
sources there are and whatever is written between two pages.

The scope holds subqueries of the ids the viewer may read — the account itself, and its contacts and
opportunities that ``core.access.visible`` lets through — so an item of a contact the viewer may not read is
not on the account's timeline even if the item itself is theirs (it would name a record they may not read).
"""
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Optional

import peewee
from flask import current_app

from core import access
from core.models import Contact, Opportunity

PAGE_SIZE = 20
SUBJECT_TYPES = ("account",)   # the record types whose page shows a timeline


@dataclass
class TimelineItem:
    """One line of a timeline. ``kind`` is constant per source query ("calendar_event", "stage_change") and
    ``id`` unique within its kind (the source row's id): together with ``at`` (a naive UTC datetime) they are
    the item's place in the order, newest first. ``record_type``/``record_id`` name the subject it is about
    (the account, one of its contacts or opportunities); ``plugin`` is filled in by core."""
    at: _dt.datetime
    kind: str
    id: int
    title: Any                      # text; escaped by the template
    label: Any = ""                 # what it is, translated ("Event", "Stage changed")
    url: str = ""
    record_type: str = ""
    record_id: Optional[int] = None
    detail: Any = ""                # a short status ("Completed", "Closed Won")
    plugin: str = field(default="", compare=False)
    subject: Any = field(default="", compare=False)   # the subject's name, filled in by core

    @property
    def key(self):
        return (self.at, self.kind, self.id)


@dataclass(frozen=True)
class Cursor:
    """The place of the last item shown: the next page holds the items strictly older than it."""
    at: _dt.datetime
    kind: str
    id: int

    def token(self):
        return f"{self.at.isoformat()}~{self.kind}~{self.id}"

    @classmethod
    def parse(cls, token):
        """The cursor of an "older" link, or ValueError for anything else."""
        at, kind, id_ = token.split("~")
        if not kind or len(kind) > 64 or not 0 <= int(id_) < 2 ** 63:  # beyond: no database takes it
            raise ValueError(token)
        return cls(_dt.datetime.fromisoformat(at).replace(tzinfo=None), kind, int(id_))


class Scope:
    """The records a timeline is about, as subqueries of the ids the viewer may read, by record type."""

    def __init__(self, user, ids):
        self.user = user
        self._ids = ids

    @property
    def types(self):
        return tuple(self._ids)

    def ids(self, record_type):
        """A subquery (or list) of the readable ids of ``record_type`` in the scope, for ``field.in_(…)``;
        an empty list when the scope has none of that type."""
        return self._ids.get(record_type, [])

    def about(self, **fields):
        """An expression true for rows that point at a record of the scope: ``about(account=Model.account,
        contact=Model.contact)`` ORs ``Model.account IN (…accounts…)`` and ``Model.contact IN (…contacts…)``."""
        parts = [f.in_(self._ids[t]) for t, f in fields.items() if t in self._ids]
        return _any(parts)

    def related(self, type_field, id_field):
        """For a polymorphic link (``related_type``/``related_id`` columns): rows linked to a scope record."""
        return _any([(type_field == t) & id_field.in_(ids) for t, ids in self._ids.items()])


def _any(parts):
    if not parts:
        return peewee.SQL("1 = 0")
    out = parts[0]
    for p in parts[1:]:
        out = out | p
    return out


def scope_of(user, record_type, record):
    """The scope of ``record``'s timeline (its readability already checked by the caller): an account with its
    contacts and opportunities that ``user`` may read."""
    if record_type != "account":
        raise ValueError(f"no timeline for {record_type!r}")
    return Scope(user, {
        "account": [record.id],
        "contact": access.visible(Contact.select(Contact.id), user, "contact").where(Contact.account == record.id),
        "opportunity": access.visible(Opportunity.select(Opportunity.id), user, "opportunity")
        .where(Opportunity.account == record.id),
    })


def page(query, at, kind, id_field, before, limit):
    """``query`` restricted to rows older than ``before`` in the order ``(at, kind, id)`` — ``kind`` being this
    source's constant — newest first, at most ``limit``: the part every source's query shares."""
    if before is not None:
        if kind < before.kind:        # same instant: this kind comes after the cursor's (descending)
            query = query.where(at <= before.at)
        elif kind > before.kind:
            query = query.where(at < before.at)
        else:
            query = query.where((at < before.at) | ((at == before.at) & (id_field < before.id)))
    return query.where(at.is_null(False)).order_by(at.desc(), id_field.desc()).limit(limit)


@dataclass
class TimelinePage:
    items: list
    older: Optional[Cursor]         # None: this is the last page


def timeline_page(user, scope, before=None, limit=PAGE_SIZE):
    """One page of the timeline: every source's items merged newest first, and the cursor of the next page."""
    plugins = current_app.extensions["zhixin_plugins"]
    found = []
    for name, item in plugins.results("zhixin_timeline_items", user=user, scope=scope, before=before,
                                      limit=limit + 1):
        if before is not None and item.key >= (before.at, before.kind, before.id):
            continue  # a source that ignored the cursor must not repeat an item
        item.plugin = "core" if name.startswith("core:") else name
        found.append(item)
    found.sort(key=lambda i: i.key, reverse=True)
    items = _dedupe(found)[:limit + 1]
    more = len(items) > limit
    items = items[:limit]
    _name_subjects(user, items)
    return TimelinePage(items, Cursor(*items[-1].key) if more else None)


def _dedupe(items):
    seen, out = set(), []
    for item in items:
        if (item.kind, item.id) not in seen:
            seen.add((item.kind, item.id))
            out.append(item)
    return out


def _name_subjects(user, items):
    """``item.subject``: the name of the contact or opportunity an item is about (one query per type; the page
    names no account, its own being the only one in the scope)."""
    models = {"contact": Contact, "opportunity": Opportunity}
    for type_name, model in models.items():
        ids = {i.record_id for i in items if i.record_type == type_name and i.record_id is not None}
        names = {r.id: r.name for r in access.visible(model.select(), user, type_name).where(model.id.in_(ids))} \
            if ids else {}
        for item in items:
            if item.record_type == type_name:
                item.subject = names.get(item.record_id, "")
