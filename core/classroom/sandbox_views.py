"""Classroom pages: class sandboxes (reset one class)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.classroom import bp, sandbox
from core.classroom.guards import instructor_required, my_class
from core.classroom.scope import classes_for
from core.records import registry as records
from core.web import fail


# --- class sandbox -------------------------------------------------------------------------------------

@bp.route("/sandbox")
@instructor_required
def sandboxes():
    rows = [(cls, sum(sandbox.record_counts(cls).values())) for cls in classes_for(current_user)]
    return render_template("core/classroom/sandboxes.html", rows=rows)


@bp.route("/sandbox/<int:position_id>", methods=["GET", "POST"])
@instructor_required
def sandbox_reset(position_id):
    cls = my_class(position_id)
    counts = sandbox.record_counts(cls)
    total = sum(counts.values())
    if request.method == "POST":
        if request.form.get("confirm_name", "").strip() != cls.name:
            flash(_("Type the class name exactly to confirm."), "error")
        else:
            try:
                deleted = sandbox.reset(cls, reload_demo=bool(request.form.get("reload")))
            except Exception as exc:  # integrity errors from plugin rows: nothing changed
                current_app.logger.warning("sandbox reset of %s failed: %s", cls.name, exc)
                fail(409, _("The reset was undone: some records of this class are still referenced (%(error)s).",
                            error=str(exc)[:200]))
            flash(_("%(class)s reset: %(count)d records deleted.", **{"class": cls.name, "count": deleted}),
                  "success")
            return redirect(url_for("classroom.sandboxes"))
    labels = {name: records.get(name).label_plural for name in counts}
    return render_template("core/classroom/sandbox_confirm.html", cls=cls, counts=counts, total=total,
                           labels=labels)
