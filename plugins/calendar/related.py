"""Related records (相关记录): an event or task may point at a record of any registered type that the
user may see. The link is checked through core.access when saved and when shown."""
from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from core import access
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


def check(user, type_name, record_id):
    """An error message for a related record the user may not link to, or None."""
    if not type_name and not record_id:
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
        return "", ""
    rt = records.get(type_name)
    label = f"{rt.label}: {rt.display(record) if rt.display else record}"
    for endpoint, args in (("records.detail", {"type_name": rt.name, "record_id": record.id}),
                           ("records.list", {"type_name": rt.name})):
        try:
            return label, url_for(endpoint, **args)
        except BuildError:
            continue
    return label, ""
