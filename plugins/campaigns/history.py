"""How a campaign's own entries in its change history read (成员、网页表单的变更记录): its members and its web
form are no fields of the campaign, so core asks this module (``RecordType.audit_change``) to put them in the
reader's language — a member type, a response status, a web-form setting and its values as labels and names,
never the stored codes ("+3 lead", "sent ×5", "planned", "{'enabled': ['False', 'True']}")."""
import re

from babel.lists import format_list
from flask_babel import get_locale

from core.babel import gettext as _, lazy_gettext as _l
from core.models import Position, User
from plugins.campaigns import labels

MEMBERS_ADDED = re.compile(r"^\+(\d+) (lead|contact|account)$")   # {"members": [None, "+3 lead"]}
MARKED_SENT = re.compile(r"^sent ×(\d+)$")                       # {"members": ["planned", "sent ×5"]}
ONE_MEMBER = re.compile(r"^member (lead|contact|account) #(\d+)$")  # {"member lead #12": [old, new status]}

WEB_FORM_SETTINGS = {  # the labels of the set-up form (forms.WebFormSetupForm)
    "enabled": _l("Take submissions"), "fields": _l("Fields on the form"), "required": _l("Required fields"),
    "thank_you": _l("Thank-you text"), "assign_rule": _l("Assign new leads"),
    "assign_user": _l("User who takes the leads"), "assign_position": _l("Position whose users take turns"),
    "per_address_limit": _l("Submissions per address"), "window_minutes": _l("Within minutes"),
    "per_form_limit": _l("Submissions from all addresses"),
}


def change(key, stored):
    """Core's ``audit_change`` for campaigns: rows (label, old, new) for the plugin's own keys, else None."""
    old, new = (list(stored) + [None, None])[:2] if isinstance(stored, list) else (None, stored)
    if key == "members":
        return [(_("Members"), _members(old), _members(new))]
    member = ONE_MEMBER.match(key)
    if member:
        label = _("Member: %(type)s #%(id)s", type=labels.MEMBER_TYPES[member.group(1)], id=member.group(2))
        return [(label, _status(old), _status(new))]
    if key == "web form" and isinstance(stored, dict):
        return [(_("Web form: %(setting)s", setting=WEB_FORM_SETTINGS.get(name, name)),
                 _setting(name, pair[0]), _setting(name, pair[1]))
                for name, pair in stored.items() if isinstance(pair, list) and len(pair) == 2]
    return None


def _status(code):
    return None if code is None else str(labels.RESPONSE_STATUSES.get(code, code))


def _members(text):
    if text is None:
        return None
    added = MEMBERS_ADDED.match(text)
    if added:
        return _("%(count)s added (%(type)s)", count=added.group(1), type=labels.MEMBER_TYPES[added.group(2)])
    sent = MARKED_SENT.match(text)
    if sent:
        return _("%(count)s marked as sent", count=sent.group(1))
    return _status(text)


def _setting(name, value):
    """A web-form setting's stored text (``str()`` of the value) as the set-up page shows it."""
    if value in (None, "", "None"):
        return None
    if name == "enabled":
        return _("Yes") if value == "True" else _("No")
    if name in ("fields", "required"):
        return format_list([str(labels.WEB_FORM_FIELDS.get(part, part)) for part in value.split()],
                           locale=get_locale())
    if name == "assign_rule":
        return str(labels.ASSIGN_RULES.get(value, value))
    if name in ("assign_user", "assign_position") and value.isdigit():
        row = (User if name == "assign_user" else Position).get_or_none(id=int(value))
        return f"#{value}" if row is None else (row.display_name if name == "assign_user" else row.name)
    return value
