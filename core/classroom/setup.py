"""The guided first-run setup (初始设置向导): the steps a school takes, in order, and whether each is done."""
from dataclasses import dataclass

from flask import url_for
from werkzeug.routing import BuildError

from core.babel import lazy_gettext as _l
from core.classroom.audit import RECORD_TYPE
from core.models import AuditEntry, Organisation, PluginState, Position, Product, SharingMode, User


@dataclass
class Step:
    id: str
    title: object
    done: bool
    url: str


def _url(*endpoints):
    for endpoint in endpoints:
        try:
            return url_for(endpoint)
        except BuildError:
            continue
    return ""


def steps(admin):
    org = Organisation.get_profile()
    return [
        Step("credentials", _l("Change the administrator's user name and password"),
             not (admin.must_change_password or admin.must_change_username), _url("auth.change_credentials")),
        Step("organisation", _l("Fill in the organisation profile"),
             org.id is not None and org.name not in ("", "Zhixin CRM"), _url("admin.organisation")),
        Step("positions", _l("Build the positions (offer: the class template)"),
             Position.select().exists(), _url("hierarchy.positions", "hierarchy.index")),
        Step("sharing", _l("Choose the sharing modes"), SharingMode.select().exists(),
             _url("hierarchy.sharing", "hierarchy.index")),
        Step("products", _l("Add product categories and products"), Product.select().exists(),
             _url("hierarchy.products", "hierarchy.index")),
        Step("plugins", _l("Enable the modules the course covers"),
             PluginState.select().exists() or User.select().where(~User.is_admin).exists(),
             _url("admin.plugins")),
        Step("roster", _l("Import the roster (teacher, class leads, managers and students)"),
             User.select().where(User.student_number.is_null(False)).exists(), _url("classroom.roster_import")),
        Step("modules", _l("Choose the modules of each class"), _logged("modules"), _url("classroom.class_modules")),
    ]


def _logged(action):
    return AuditEntry.select().where((AuditEntry.record_type == RECORD_TYPE) & (AuditEntry.action == action)).exists()
