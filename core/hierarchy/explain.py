"""The access explainer ("Why can I see this?" / 为什么我能看到这条记录?): a teaching aid that walks the
chain owner → owner's position path → viewer's position → sharing mode → verdict for read, write and
delete, computed by :func:`core.access.explain` from the rule's own pieces.

The administrator may ask about any user; everyone else only about themselves, and only for records they
can read (anything else answers 404, so the page reveals nothing the lists would not)."""
from flask import abort, render_template, request
from flask_login import current_user, login_required

from core import access
from core.babel import gettext as _, lazy_gettext as _l
from core.hierarchy import bp
from core.hierarchy.sharing import MODE_HELP, MODE_LABELS, family_label
from core.models import User
from core.records import registry as records
from core.web import fail

ACTION_LABELS = {"read": _l("Read"), "write": _l("Edit"), "delete": _l("Delete")}
REASONS = {
    "admin": _l("The administrator may do everything."),
    "catalogue": _l("Catalogue records are read by everyone and changed only by the administrator."),
    "owner": _l("This user owns the record."),
    "superior": _l("This user's position lies above the owner's position."),
    "mode": _l("The sharing mode allows it to everyone."),
    "vetoed": _l("The rules would allow it, but an enabled module forbids it."),
    "none": _l("Not the owner, not above the owner, and the sharing mode does not allow it."),
    "plugin": _l("Allowed."),
}
# keyed by the action the grant needs on the related record (a campaign task: the same as on the task)
RELATION_REASONS = {
    "read": _l("Allowed because this user may read its %(type)s “%(name)s”."),
    "write": _l("Allowed because this user may change its %(type)s “%(name)s”."),
    "delete": _l("Allowed because this user may delete its %(type)s “%(name)s”."),
}


def reason_text(steps, action):
    """The "because" of one verdict; a grant by relation names the related record."""
    relation = steps["granted_by"][action] if steps["reasons"][action] == "relation" else None
    if relation is None:
        return REASONS[steps["reasons"][action]]
    needed = relation["grant"].needed(action)
    return RELATION_REASONS[needed] % {"type": str(relation["record_type"].label).lower(),
                                       "name": str(relation["record"])}


def _type_or_404(type_name):
    try:
        return records.get(type_name)
    except KeyError:
        abort(404)


def _subject(viewer):
    """The user the question is about: anyone for the administrator, oneself for everyone else."""
    wanted = request.args.get("user", "").strip()
    if not wanted or wanted == str(viewer.id):
        return viewer
    if not viewer.is_admin:
        fail(403, _("You can only ask about your own access."))
    try:
        subject = User.get_or_none(User.id == int(wanted))
    except ValueError:
        subject = None
    if subject is None:
        fail(404, _("There is no such user."))
    return subject


@bp.route("/explain/<type_name>/<int:record_id>")
@login_required
def explain(type_name, record_id):
    rt = _type_or_404(type_name)
    viewer = current_user._get_current_object()
    record = access.get_or_404(viewer, rt, record_id, "read")  # 404 unless the asker may read it
    subject = _subject(viewer)
    steps = access.explain(subject, record, rt)
    users = (list(User.select(User.id, User.username, User.full_name).order_by(User.username))
             if viewer.is_admin else [])
    types = records.families().get(rt.family, [rt])
    return render_template("core/hierarchy/explain.html", rt=rt, record=record, s=steps, subject=subject,
                           users=users, actions=access.ACTIONS, action_labels=ACTION_LABELS,
                           reasons={action: reason_text(steps, action) for action in access.ACTIONS},
                           mode_label=MODE_LABELS.get(steps["mode"]), mode_help=MODE_HELP.get(steps["mode"]),
                           family_label=family_label(rt.family, types))
