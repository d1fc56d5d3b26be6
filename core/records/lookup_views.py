"""The lookup fields' type-ahead (关联记录查找): records of one type the viewer may read whose name holds what
they type, a page at a time, as JSON — so that a form whose lookup reaches thousands of records renders none of
them (core.records.lookups decides which and when)."""
from flask import abort, request
from flask_login import login_required

from core.records import registry as records
from core.records.blueprint import _user, bp
from core.records.forms import option_text
from core.records.lookups import LOOKUP_SEARCH_LIMIT, find_readable, searchable
from core.web import json_response, page_number


@bp.route("/<type_name>/lookup.json", endpoint="lookup_search")
@login_required
def lookup_search(type_name):
    """``?q=`` (part of the name), ``?page=`` and ``?exclude=`` (the record being edited, never its own link):
    ``{"results": [{id, label, value}], "more"}``; ``value`` is what the field posts. An unknown type, or one
    of a plugin that is off for the viewer (core.app answers 404 before this runs), is a 404."""
    try:
        rt = records.get(type_name)
    except KeyError:
        abort(404)
    if not searchable(rt):
        abort(404)
    exclude = request.args.get("exclude", "")
    exclude = int(exclude) if exclude.isdigit() and len(exclude) <= 18 else None
    rows, more = find_readable(_user(), rt, request.args.get("q", ""), page_number(), exclude, LOOKUP_SEARCH_LIMIT)
    body = {"results": [{"id": r.id, "label": str(r), "value": option_text(r.id, str(r))} for r in rows],
            "more": more}
    return json_response(body)
