"""Classroom pages: roster import and the class × module grid."""
import base64
import binascii

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField

from core.babel import gettext as _, lazy_gettext as _l
from core.classroom import bp, modules, roster
from core.classroom.guards import instructor_required
from core.classroom.scope import classes_for
from core.web import fail


# --- roster import -------------------------------------------------------------------------------------

class RosterForm(FlaskForm):
    file = FileField(_l("Roster (CSV or Excel .xlsx)"))
    content = HiddenField()  # the checked file's bytes, base64: carried to the import exactly as uploaded
    create_missing = BooleanField(_l("Create missing positions and classes"))
    deactivate_missing = BooleanField(_l("Deactivate the people of the classes in this file whom it leaves out"))


def _uploaded(form):
    """The file's bytes: the upload, else the file the dry run carried; None when there is neither."""
    if form.file.data:
        raw = form.file.data.read(roster.MAX_BYTES + 1)
        if len(raw) > roster.MAX_BYTES:
            fail(413, _("The roster file is too large (at most %(size)d KB).", size=roster.MAX_BYTES // 1024))
        return raw
    if not form.content.data:
        return None
    try:
        return base64.b64decode(form.content.data, validate=True)
    except (binascii.Error, ValueError):
        fail(400, _("The checked file came back damaged; choose the file again."))


@bp.route("/roster", methods=["GET", "POST"])
@instructor_required
def roster_import():
    form = RosterForm()
    if not form.validate_on_submit():
        return render_template("core/classroom/roster.html", form=form, result=None)
    data = _uploaded(form)
    if data is None:
        form.file.errors = [_("Choose a CSV or Excel file.")]
        return render_template("core/classroom/roster.html", form=form, result=None), 400
    options = roster.Options(bool(form.create_missing.data), bool(form.deactivate_missing.data))
    status = 200
    if request.form.get("action") == "commit":
        result, created = roster.run(data, current_user, options, current_app.config.get("PASSWORD_METHOD"))
        if result.ok:
            return render_template("core/classroom/roster_done.html", created=created, result=result,
                                   sheet=roster.sheet_csv(created))
        status = 409
    else:
        result = roster.check(data, current_user, options)
    form.content.data = base64.b64encode(data).decode("ascii")
    return render_template("core/classroom/roster.html", form=form, result=result), status


# --- modules per class ---------------------------------------------------------------------------------

@bp.route("/modules", methods=["GET", "POST"])
@instructor_required
def class_modules():
    """The class × module grid: the administrator edits every class, a teacher the classes below them."""
    plugins = current_app.extensions["zhixin_plugins"]
    classes = classes_for(current_user)
    if request.method == "POST":
        mine = {c.id: c for c in classes}
        sent = request.form.getlist("class")
        if not all(v.isdigit() for v in sent):
            fail(400, _("The form names a class that does not exist."))
        if any(int(v) not in mine for v in sent):
            fail(403, _("You can change the modules of your own classes only."))
        wanted = {mine[int(v)]: set(request.form.getlist(f"on-{v}")) for v in sent}
        changes = modules.apply(current_user, plugins.order, wanted)
        flash(_("Modules per class saved: %(count)d changes.", count=len(changes)), "success")
        return redirect(url_for("classroom.class_modules"))
    return render_template("core/classroom/modules.html", plugins=plugins, classes=classes,
                           is_on=modules.is_on_in)
