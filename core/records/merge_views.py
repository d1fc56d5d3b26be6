"""The merge page (合并重复记录, ``/records/<type>/<id>/merge``): pick the other record (the likely duplicates
of this one are offered), compare them field by field, choose the survivor and its values, confirm; the
merge itself is ``core.records.merge.merge``.

404 when either record is not readable (``core.access.get_or_404``), 403 when the user may not change the
survivor or delete the other."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from core import access
from core.babel import gettext as _
from core.records import RecordError, display, duplicates, merge
from core.records import registry as records
from core.records.blueprint import _user, bp
from core.web import fail


def _mergeable_or_404(type_name):
    if type_name not in merge.MERGEABLE:
        abort(404)
    try:
        return records.get(type_name)
    except KeyError:
        abort(404)


def _allowed(user, rt, survivor, other):
    if not access.can(user, "write", survivor, rt):
        fail(403, _("You may not change %(record)s.", record=str(survivor)))
    if not access.can(user, "delete", other, rt):
        fail(403, _("You may not delete %(record)s.", record=str(other)))


def _posted_choices(rt):
    return {name: request.form.get(f"keep_{name}", "") for name in merge.fields(rt)}


@bp.route("/<type_name>/<int:record_id>/merge", methods=["GET", "POST"])
@login_required
def merge_records(type_name, record_id):
    rt = _mergeable_or_404(type_name)
    user = _user()
    survivor = access.get_or_404(user, rt, record_id)
    other_id = request.values.get("other", type=int)
    if other_id is None:
        if request.method == "POST":
            fail(400, _("Choose the record to merge into this one."))
        likely = duplicates.find(rt, user, duplicates.values_of(survivor), exclude=survivor.id)
        return render_template("core/records/merge.html", rt=rt, survivor=survivor, merged=None, likely=likely)
    other = access.get_or_404(user, rt, other_id)
    if other.id == survivor.id:
        fail(400, _("A record cannot be merged with itself."))
    _allowed(user, rt, survivor, other)
    if request.method == "POST":
        try:
            moved = merge.merge(rt, survivor, other, user, _posted_choices(rt))
        except PermissionError:
            abort(403)
        except RecordError as exc:
            fail(409, _("The records were not merged: %(reason)s", reason=str(exc)))
        flash(_("%(other)s was merged into %(record)s.", other=str(other), record=str(survivor)), "success")
        if moved:
            flash(_("Moved to it: %(rows)s.", rows=", ".join(f"{count} × {label}" for label, count in
                                                             sorted(moved.items()))), "info")
        return redirect(url_for("records.detail", type_name=rt.name, record_id=survivor.id))
    chosen = merge.default_choices(rt, survivor, other)
    rows = [(name, display.label(rt, name), display.html(rt, survivor, name), display.html(rt, other, name),
             chosen[name]) for name in merge.fields(rt)]
    return render_template("core/records/merge.html", rt=rt, survivor=survivor, merged=other, rows=rows,
                           survivor_rows=merge.related_counts(rt, survivor),
                           other_rows=merge.related_counts(rt, other))
