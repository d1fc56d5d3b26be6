"""The global search (全局搜索, ``/search?q=``): the quick search of every record type the user may see, the
first few of each type with a link to that type's list filtered by the same term.

Each type's rows come from ``core.records.views.list_query`` — the list's own query: ``core.access.visible``
in SQL, the same search (and index, ``core.search``), the same sort — so what the page shows is exactly what
the "more" link's list shows first."""
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from core.records import display, listing, registry as records
from core.records.blueprint import _user
from core.records.views import list_query

bp = Blueprint("search", __name__)

PER_TYPE = 5


@dataclass
class TypeHits:
    """One record type's part of the page: its first rows and how many there are in all — counted as the
    lists count (``core.records.listing.count``): exactly up to ``LIST_COUNT_CAP``, beyond it "more than"."""
    rt: object
    rows: list
    total: int
    exact: bool = True


def searchable_types(user):
    """The registered types with search fields whose module is on for ``user``, in menu order."""
    plugins = current_app.extensions["zhixin_plugins"]
    types = [rt for rt in records.registry().values()
             if rt.search_fields and (rt.plugin == "core" or plugins.is_on(rt.plugin, user))]
    return sorted(types, key=lambda rt: (rt.menu_order, rt.name))


def search_all(user, q):
    """[TypeHits] of every type where ``q`` finds a visible record."""
    out = []
    for rt in searchable_types(user):
        query, state = list_query(rt, user, {"q": q}, plan="page")
        rows = list(query.limit(PER_TYPE))
        if len(rows) < PER_TYPE:
            out += [TypeHits(rt, rows, len(rows))] if rows else []
        else:
            out.append(TypeHits(rt, rows, *listing.count(state["base"], rt.model, exact=False)))
    return out


@bp.route("/search")
@login_required
def search():
    q = (request.args.get("q") or "").strip()[:100]
    user = _user()
    hits = search_all(user, q) if q else []
    return render_template("core/records/search.html", q=q, hits=hits, display=display)
