"""Generic record views: list, detail, form, delete, search, CSV import/export for every record type."""
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from core import access
from core.records import registry as records
from core.web import paginate

bp = Blueprint("records", __name__, url_prefix="/records")


def _type_or_404(type_name):
    try:
        return records.get(type_name)
    except KeyError:
        abort(404)


@bp.route("/<type_name>/")
@login_required
def list(type_name):  # noqa: A001  (endpoint name "records.list")
    rt = _type_or_404(type_name)
    query = access.visible(rt.model.select(), current_user, rt)
    page = paginate(query.order_by(rt.model.id.desc()))
    return render_template("core/records/list.html", rt=rt, page=page)
