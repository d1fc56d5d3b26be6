"""Classroom pages: roster import and modules per class."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField

from core.classroom import bp, modules, roster
from core.classroom.guards import instructor_required
from core.classroom.scope import classes_for
from core.web import fail


# --- roster import -------------------------------------------------------------------------------------

class RosterForm(FlaskForm):
    file = FileField(_l("Roster (CSV)"))
    content = HiddenField()


@bp.route("/roster", methods=["GET", "POST"])
@instructor_required
def roster_import():
    form = RosterForm()
    if not form.validate_on_submit():
        return render_template("core/classroom/roster.html", form=form, result=None)
    data = form.content.data
    if form.file.data:
        raw = form.file.data.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
        if len(raw) > current_app.config["MAX_UPLOAD_BYTES"]:
            fail(413, _("The roster file is too large."))
        data = raw
    if not data:
        form.file.errors = [_("Choose a CSV file.")]
        return render_template("core/classroom/roster.html", form=form, result=None)
    result = roster.parse(data)
    text = data.decode("utf-8-sig", "replace") if isinstance(data, bytes) else data
    if request.form.get("action") != "commit" or not result.ok:
        form.content.data = text
        return render_template("core/classroom/roster.html", form=form, result=result)
    created = roster.commit(result, password_method=current_app.config.get("PASSWORD_METHOD"))
    return render_template("core/classroom/roster_done.html", created=created,
                           sheet=roster.sheet_csv(created))


# --- modules per class ---------------------------------------------------------------------------------

@bp.route("/modules", methods=["GET", "POST"])
@login_required
def class_modules():
    if not current_user.is_admin:
        abort(403)
    plugins = current_app.extensions["zhixin_plugins"]
    classes = classes_for(current_user)
    if request.method == "POST":
        valid = {c.id for c in classes}
        for name in plugins.order:
            chosen = [int(v) for v in request.form.getlist(f"classes-{name}") if v.isdigit() and int(v) in valid]
            modules.set_classes(name, chosen if request.form.get(f"scope-{name}") == "classes" else [])
        flash(_("Modules per class saved."), "success")
        return redirect(url_for("classroom.class_modules"))
    current = {}
    for name in plugins.order:
        current[name] = set(modules.restrictions().get(name, []))
    return render_template("core/classroom/modules.html", plugins=plugins, classes=classes, current=current)
