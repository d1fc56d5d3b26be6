"""Merge fields (合并字段) of message templates: ``{{ contact.first_name }}``, ``{{ account.name }}``,
``{{ owner.full_name }}``, ``{{ organisation.name }}`` … and nothing else — a template is parsed, every
``{{ … }}`` must name a known field, and it is rendered in Jinja's sandbox as plain text. A value comes from a
record only if the sender may read it (core.access)."""
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from core import access
from core.babel import gettext as _
from core.models import Account, Contact, Organisation, User
from core.records import registry as records

FIELDS = {
    "recipient": ("name", "first_name", "last_name", "email"),
    "contact": ("name", "first_name", "last_name", "title", "department", "email", "phone", "mobile"),
    "lead": ("name", "first_name", "last_name", "company", "title", "email", "phone"),
    "account": ("name", "email", "phone", "website", "region"),
    "owner": ("full_name", "email"),
    "sender": ("full_name", "email"),
    "organisation": ("name",),
}
ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Getattr, nodes.Name)
_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


class MergeError(ValueError):
    """A template that cannot be merged; the message says why (shown as a form error)."""


def field_names():
    """Every merge field as it is written: ``contact.first_name`` …"""
    return [f"{group}.{name}" for group, names in FIELDS.items() for name in names]


def check(text):
    """Parse ``text``; MergeError naming the first unknown field or construct."""
    try:
        tree = _ENV.parse(text or "")
    except TemplateSyntaxError as exc:
        raise MergeError(_("The merge fields cannot be read (line %(line)d): write them as {{ contact.first_name }}.",
                           line=exc.lineno or 1)) from None
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, ALLOWED_NODES):
            raise MergeError(_("Only merge fields such as {{ contact.first_name }} may stand between {{ and }}."))
    for output in tree.find_all(nodes.Output):
        for part in output.nodes:
            if isinstance(part, nodes.TemplateData):
                continue
            name = _field_of(part)
            if name is None:
                raise MergeError(_("Only merge fields such as {{ contact.first_name }} may stand between {{ and }}."))
            group, field = name
            if field not in FIELDS.get(group, ()):
                written = group + "." + field
                raise MergeError(_("Unknown merge field: %(field)s. Known fields: %(known)s.",
                                   field=written, known=", ".join(field_names())))
    return tree


def _field_of(node):
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return node.node.name, node.attr
    return None


def render(text, context):
    """``text`` with its merge fields replaced by ``context``'s values (see :func:`context_for`)."""
    check(text)
    return _ENV.from_string(text or "").render(**context)


def blank_context():
    return {group: {name: "" for name in names} for group, names in FIELDS.items()}


def _values(obj, names):
    return {name: str(getattr(obj, name, "") or "") for name in names}


def _readable(user, model, record_type, record_id):
    if not record_id:
        return None
    return access.visible(model.select(), user, record_type).where(model.id == record_id).first()


def context_for(record_type, record, user):
    """The merge values for a message about ``record`` sent by ``user``: the record's own group (contact,
    lead or account), its account and contact where the record names them and ``user`` may read them, the
    recipient (the person written to), its owner, the sender and the organisation."""
    ctx = blank_context()
    rt = records.get(record_type)
    own = rt.name if rt.name in ("contact", "lead", "account") else None
    if own:
        ctx[own] = _values(record, FIELDS[own])
    if own != "account" and getattr(record, "account_id", None):
        account = _readable(user, Account, "account", record.account_id)
        if account is not None:
            ctx["account"] = _values(account, FIELDS["account"])
    if own not in ("contact", "lead") and getattr(record, "contact_id", None):
        contact = _readable(user, Contact, "contact", record.contact_id)
        if contact is not None:
            ctx["contact"] = _values(contact, FIELDS["contact"])
    if own == "lead" and record.company:
        ctx["account"]["name"] = record.company
    person = ctx["lead"] if own == "lead" else ctx["contact"]
    ctx["recipient"] = {k: person.get(k, "") for k in FIELDS["recipient"]}
    if not ctx["recipient"]["name"]:
        ctx["recipient"]["name"] = ctx["account"]["name"] or str(getattr(record, "submitter_name", "") or "")
    owner = User.get_or_none(User.id == record.owner_id) if getattr(record, "owner_id", None) else None
    if owner is not None:
        ctx["owner"] = {"full_name": owner.display_name, "email": owner.email or ""}
    ctx["sender"] = {"full_name": user.display_name, "email": user.email or ""}
    ctx["organisation"] = {"name": Organisation.get_profile().name or ""}
    return ctx
