"""Classroom pages: class sandboxes (reset one class)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.babel import gettext as _
from core.classroom import bp, sandbox
from core.classroom.guards import instructor_required, my_class
from core.classroom.scope import classes_for
from core.web import fail


# --- class sandbox -------------------------------------------------------------------------------------

@bp.route("/sandbox")
@instructor_required
def sandboxes():
    rows = [(cls, sum(n for _label, n in sandbox.preview(cls))) for cls in classes_for(current_user)]
    return render_template("core/classroom/sandboxes.html", rows=rows)


@bp.route("/sandbox/<int:position_id>", methods=["GET", "POST"])
@instructor_required
def sandbox_reset(position_id):
    cls = my_class(position_id)
    if request.method == "POST":
        if request.form.get("confirm_name", "").strip() != cls.name:
            flash(_("Type the class name exactly to confirm."), "error")
        else:
            # the form sends keep_grades=0, then 1 while the box is ticked: grades are kept unless unticked
            keep_grades = request.form.getlist("keep_grades")[-1:] != ["0"]
            try:
                removed = sandbox.reset(cls, current_user, keep_grades=keep_grades,
                                        reload_demo=bool(request.form.get("reload")))
            except Exception as exc:  # a row some plugin did not declare still refers to the class: nothing changed
                current_app.logger.warning("sandbox reset of %s failed: %s", cls.name, exc)
                fail(409, _("The reset was undone: some records of this class are still referenced (%(error)s).",
                            error=str(exc)[:200]))
            flash(_("%(class)s reset: %(count)d rows removed.", **{"class": cls.name, "count": sum(removed.values())}),
                  "success")
            return redirect(url_for("classroom.sandboxes"))
    kinds = sandbox.preview(cls)
    return render_template("core/classroom/sandbox_confirm.html", cls=cls, kinds=kinds,
                           total=sum(n for _label, n in kinds))
