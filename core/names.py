"""The names of linked records a viewer may not read (私有记录) — one policy for every page and export.

A readable record may link to one the viewer may not read (a public opportunity's private account). Its
name is then never shown: lists, detail pages, quick search, CSV, reports, charts, calendar items,
notifications and timelines print :data:`PRIVATE` instead, without a link. Whether the viewer may read the
linked record is asked through :func:`core.access.visible` only, one query per record type and page
(:func:`prime`), and remembered for the rest of the request.
"""
from flask import has_request_context, request
from flask_login import current_user

from core import access
from core.babel import lazy_gettext as _l
from core.records import registry as records

PRIVATE = _l("(private record)")


def _viewer(user):
    if user is not None:
        return user
    return current_user._get_current_object() if has_request_context() else None


def _cache(user):
    """(record type, id) -> readable?, kept for the current request and viewer only."""
    if not has_request_context():
        return {}
    per_user = request.environ.setdefault("zhixin.names.readable", {})
    return per_user.setdefault(getattr(user, "id", None), {})


def _type_of(which):
    """The record type of a record or model class, or None."""
    return records.of_model(which if isinstance(which, type) else type(which))  # None: users, stages …


def readable_ids(user, record_type, ids):
    """The ids among ``ids`` of ``record_type`` that ``user`` may read (one query through the access door)."""
    rt = records.get(record_type)
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    cache = _cache(user)
    unknown = [i for i in ids if (rt.name, i) not in cache]
    if unknown:
        model = rt.model
        found = {i for (i,) in access.visible(model.select(model.id).where(model.id.in_(unknown)),
                                             user, rt).tuples()}
        for i in unknown:
            cache[(rt.name, i)] = i in found
    return {i for i in ids if cache[(rt.name, i)]}


def linked_row(model, record_id, user=None):
    """The row a page shows for a link to record ``record_id`` of ``model``: the row itself when the viewer
    (default: the current user) may read it, fetched through the access door in one query that also answers
    :func:`may_name` for it for the rest of the request; when they may not, a stand-in holding only the id (a
    page names it :data:`PRIVATE` and reads nothing else of it). None without a viewer or for rows that are
    not records: the caller fetches those itself."""
    rt = _type_of(model)
    viewer = _viewer(user)
    if rt is None or viewer is None:
        return None
    cache = _cache(viewer)
    row = None
    if cache.get((rt.name, record_id)) is not False:
        row = access.visible(model.select().where(model.id == record_id), viewer, rt).first()
        cache[(rt.name, record_id)] = row is not None
    return row if row is not None else model(__no_default__=True, id=record_id)  # the id, and nothing else


def may_name(obj, user=None):
    """May the viewer (default: the current user) see ``obj``'s name and link?"""
    return name_checker(user)(obj)


def name_checker(user=None):
    """:func:`may_name` for the many cells of one page: the viewer and the request's answers looked up once."""
    viewer = _viewer(user)
    if viewer is None:    # no viewer (CLI, jobs): the caller decides who reads its output
        return lambda obj: obj is not None
    cache = _cache(viewer)

    def may(obj):
        if obj is None:
            return False
        rt = _type_of(obj)
        if rt is None:
            return True
        known = cache.get((rt.name, obj.id))  # asked already (a page's rows are primed): no query
        return known if known is not None else obj.id in readable_ids(viewer, rt, [obj.id])
    return may


def name_of(obj, user=None, name=str):
    """``obj``'s name for the viewer, or :data:`PRIVATE` (as a string) when they may not read it."""
    return name(obj) if may_name(obj, user) else str(PRIVATE)


def names(user, record_type, ids, name=None):
    """id -> name of the referenced records: the name for those ``user`` may read, :data:`PRIVATE` for the
    others. ``name`` maps a fetched row to its name (default: the type's ``display``, else ``str``)."""
    rt = records.get(record_type)
    ids = {i for i in ids if i is not None}
    readable = readable_ids(user, rt, ids)
    name = name or rt.display or str
    model = rt.model
    shown = {r.id: name(r) for r in model.select().where(model.id.in_(readable))} if readable else {}
    private = str(PRIVATE)
    return {i: shown.get(i, private) for i in ids}


def prime(rows, user=None):
    """Ask once per linked record type whether the viewer may read the records ``rows`` link to, so that
    showing a page of rows costs one query per type instead of one per cell."""
    rows = list(rows)
    if not rows:
        return
    user = _viewer(user)
    wanted = {}
    for name, field in rows[0]._meta.fields.items():
        rel = getattr(field, "rel_model", None)
        rt = _type_of(rel) if rel is not None else None
        if rt is not None:
            wanted.setdefault(rt.name, set()).update(r.__data__.get(name) for r in rows)
    for type_name, ids in wanted.items():
        readable_ids(user, type_name, ids)
