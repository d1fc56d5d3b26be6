"""Sharing modes admin (共享模式): one setting per record family, effective on the next request."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from core import access
from core.admin import admin_link, admin_required
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db
from core.hierarchy import bp
from core.hierarchy.forms import choices
from core.models import SHARING_MODES, SharingMode
from core.records import registry as records
from core.records.service import audit

admin_link("hierarchy.sharing", _l("Sharing modes"),
           _l("Private or public per record family: what peers and other classes see."), order=40)

MODE_LABELS = {
    "private": _l("Private"),
    "read": _l("Public read-only"),
    "readwrite": _l("Public read/write"),
    "readwritedelete": _l("Public read/write/delete"),
}
MODE_HELP = {
    "private": _l("Only the owner, the positions above the owner and the administrator see these records."),
    "read": _l("Everyone reads them; only the owner, superiors and the administrator change or delete them."),
    "readwrite": _l("Everyone reads and changes them; only the owner, superiors and the administrator "
                    "delete them."),
    "readwritedelete": _l("Everyone reads, changes and deletes them."),
}


def family_label(family, types):
    """"Accounts & contacts" for the account family: the plural labels of its record types."""
    return " & ".join(str(rt.label_plural) for rt in types) or family


def _form_class(families):
    class SharingForm(FlaskForm):
        pass
    modes = choices([(mode, MODE_LABELS[mode]) for mode in SHARING_MODES])
    for family, types in families.items():
        setattr(SharingForm, family, SelectField(family_label(family, types), choices=modes))
    return SharingForm


def current_modes(families):
    return {family: access.mode_of(types[0]) for family, types in families.items()}


@bp.route("/sharing", methods=["GET", "POST"])
@admin_required
def sharing():
    families = records.families()
    modes = current_modes(families)
    form = _form_class(families)(data=modes)
    if form.validate_on_submit():
        changed = _save(families, modes, form)
        if changed:
            flash(_("Sharing modes saved. They apply from the next page you open."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("hierarchy.sharing"))
    rows = [(family, types, form[family]) for family, types in families.items()]
    return render_template("core/hierarchy/sharing.html", form=form, rows=rows, mode_help=MODE_HELP,
                           mode_labels=MODE_LABELS), 200 if not form.errors else 400


def _save(families, modes, form):
    changed = 0
    with db.atomic():
        for family in families:
            new = form[family].data
            if new == modes[family]:
                continue
            row = SharingMode.get_or_none(SharingMode.family == family)
            if row is None:
                row = SharingMode.create(family=family, mode=new)
            else:
                SharingMode.update(mode=new).where(SharingMode.id == row.id).execute()
            audit("sharing_mode", row.id, "update", current_user, {family: [modes[family], new]})
            changed += 1
    access.forget_sharing_modes()
    return changed


def set_mode(family, mode):
    """Store one family's mode (tests, demo data and the CLI; the page above audits its changes)."""
    if mode not in SHARING_MODES:
        raise ValueError(f"unknown sharing mode {mode!r}")
    updated = SharingMode.update(mode=mode).where(SharingMode.family == family).execute()
    if not updated:
        SharingMode.insert(family=family, mode=mode).on_conflict_ignore().execute()
        SharingMode.update(mode=mode).where(SharingMode.family == family).execute()
    access.forget_sharing_modes()
