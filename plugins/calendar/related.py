"""Related records (相关记录): an event or task may point at a record of any registered type that the
user may see. The link is checked through core.access when saved and when shown."""
from flask import url_for
from werkzeug.routing import BuildError

from core import access, names
from core.babel import gettext as _
from core.records import registry as records


def type_choices():
    out = [("", _("Nothing"))]
    for rt in records.registry().values():
        if rt.name not in ("calendar_event", "calendar_task"):
            out.append((rt.name, str(rt.label)))
    return out


def find(user, type_name, record_id):
    """The related record if ``user`` may read it, else None."""
    if not type_name or not record_id:
        return None
    try:
        rt = records.get(type_name)
    except KeyError:
        return None
    return access.visible(rt.model.select(), user, rt).where(rt.model.id == record_id).first()


def check(user, type_name, record_id, stored=None):
    """An error message for a related record the user may not link to, or None. The link ``stored`` on the
    item — a (type, id) pair — is kept as it is even when the editor may not read it."""
    if not type_name and not record_id:
        return None
    if stored is not None and (type_name or "", record_id) == (stored[0] or "", stored[1]):
        return None
    if not type_name or not record_id:
        return _("Choose both the type and the number of the related record.")
    if find(user, type_name, record_id) is None:
        return _("There is no such record, or you may not see it.")
    return None


def link(user, type_name, record_id):
    """(label, url) of a related record the user may see; ("", "") when there is none to show."""
    record = find(user, type_name, record_id)
    if record is None:
        return _private_link(type_name, record_id)
    rt = records.get(type_name)
    label = f"{rt.label}: {rt.display(record) if rt.display else record}"
    for endpoint, args in (("records.detail", {"type_name": rt.name, "record_id": record.id}),
                           ("records.list", {"type_name": rt.name})):
        try:
            return label, url_for(endpoint, **args)
        except BuildError:
            continue
    return label, ""


def _private_link(type_name, record_id):
    """A linked record the viewer may not read is named as core.names says, without a link."""
    try:
        rt = records.get(type_name) if type_name and record_id else None
    except KeyError:
        rt = None
    if rt is None or not rt.model.select(rt.model.id).where(rt.model.id == record_id).exists():
        return "", ""
    return f"{rt.label}: {names.PRIVATE}", ""
