"""The structure component's own hook implementations, registered as a core plugin (like core.builtin):
the "Why can I see this?" link on every record's detail page."""
from flask import url_for
from flask_login import current_user
from markupsafe import Markup, escape

from core import hookimpl
from core.babel import gettext as _
from core.records import registry as records


@hookimpl
def zhixin_template_slot(slot, context):
    if slot != "record_sidebar":
        return None
    record, record_type = context.get("record"), context.get("record_type")
    if record is None or record_type is None or not current_user.is_authenticated:
        return None
    try:
        rt = records.get(record_type)
    except KeyError:
        return None
    href = url_for("hierarchy.explain", type_name=rt.name, record_id=record.id)
    return Markup('<div class="panel access-explainer-link"><a href="{}" data-explain>{}</a>'
                  '<div class="muted">{}</div></div>').format(
        escape(href), _("Why can I see this?"),
        _("Owner, positions and sharing mode, step by step."))
