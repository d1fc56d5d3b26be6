"""The owner type-ahead (负责人查找): users the viewer may make owners, a page at a time, as JSON — so that a
list never renders every reachable user into its reassign select (core.records.lookups decides who)."""
from flask import request
from flask_login import login_required

from core.records.blueprint import _user, bp
from core.records.lookups import OWNER_SEARCH_LIMIT, find_assignable, owner_label
from core.web import json_response, page_number


@bp.route("/owners.json", endpoint="owner_search")
@login_required
def owner_search():
    """``?q=`` (part of a user name or name) and ``?page=``: ``{"results": [{id, username, label}], "more"}``."""
    people, more = find_assignable(_user(), request.args.get("q", ""), page_number(), OWNER_SEARCH_LIMIT)
    body = {"results": [{"id": u.id, "username": u.username, "label": owner_label(u)} for u in people],
            "more": more}
    return json_response(body)
