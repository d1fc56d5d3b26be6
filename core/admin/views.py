"""Admin pages: users (用户管理), the organisation profile (单位信息) and plugins (插件管理)."""
import functools
import secrets
import zoneinfo

from babel.dates import get_month_names
from babel.numbers import list_currencies
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from peewee import JOIN

from core import clock, filestore, localdates, lockout, passwords
from core.admin import admin_link, admin_required, bp
from core.auth import LANGUAGE_CHOICES, choices, credentials_changed
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db
from core.plugins import enabled_names
from core.records.registry import registry as record_types
from core.records.service import audit, diff, field_values
from core.models import Organisation, PluginState, Position, User
from core.web import fail, paginate

admin_link("admin.organisation", _l("Organisation"), _l("Name, logo, currency, fiscal year, time zone, language"),
           order=10)
admin_link("admin.users", _l("Users"), _l("Create, edit, deactivate users; reset passwords"), order=20)
admin_link("admin.plugins", _l("Plugins"), _l("Enable or disable the modules of the CRM"), order=90)

USERNAME_RULE = Regexp(r"^[\w.@+-]+$", message=_l("Use letters, digits and . @ + - _ only."))


# --- users ----------------------------------------------------------------------------------------------

def position_choices():
    """Positions as an indented tree for a select (materialized path order = tree order)."""
    rows = Position.select().order_by(Position.path)
    return choices([(0, _("— no position —"))] + [(p.id, "\u2003" * p.depth + p.name) for p in rows])


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=3, max=80), USERNAME_RULE])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=100)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254), Regexp(
        r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid e-mail address."))])
    position = SelectField(_l("Position"), coerce=int)
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES))
    is_admin = BooleanField(_l("Administrator"))

    def validate_username(self, field):
        query = User.select().where(User.username == field.data)
        if self.user_id:
            query = query.where(User.id != self.user_id)
        if query.exists():
            raise ValidationError(_("This user name is taken."))

    def validate_position(self, field):
        if field.data and not Position.select().where(Position.id == field.data).exists():
            raise ValidationError(_("Choose a position from the list."))

    def __init__(self, *args, user_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = user_id
        self.position.choices = position_choices()


SECRET_FIELDS = {"password_hash"}
CREDENTIAL_CHANGES = {"password_reset": "password_reset", "deactivate": "deactivated", "activate": "reactivated"}


def _save_user(user, action, before=None):
    """Save ``user`` and write who changed what to the audit log (never the password hash); a reset password
    or a change of the active flag is told to the plugins (``core.auth.credentials_changed``)."""
    with db.atomic():
        user.save()
        changes = {k: v for k, v in diff(before or {}, field_values(user)).items() if k not in SECRET_FIELDS}
        audit("user", user.id, action, current_user, changes)
        if action in CREDENTIAL_CHANGES and (action == "password_reset" or "active" in changes):
            credentials_changed(user, CREDENTIAL_CHANGES[action])


def _user_or_404(user_id):
    user = User.get_or_none(User.id == user_id)
    if user is None:
        fail(404, _("There is no such user."))
    return user


@bp.route("/users")
@admin_required
def users():
    q = (request.args.get("q") or "").strip()
    status = request.args.get("status", "")
    query = User.select(User, Position).join(Position, JOIN.LEFT_OUTER, on=(User.position == Position.id))
    if q:
        like = f"%{q}%"
        query = query.where(User.username ** like | User.full_name ** like | User.email ** like)
    if status == "active":
        query = query.where(User.active)
    elif status == "inactive":
        query = query.where(~User.active)
    page = paginate(query.order_by(User.username))
    return render_template("core/admin/users.html", page=page, q=q, status=status, positions=position_choices())


@bp.route("/users/position", methods=["POST"])
@admin_required
def users_set_position():
    """One position for many users at once (the ticked rows of the users list), in one transaction."""
    ids = request.form.getlist("user")
    position_id = request.form.get("position", "")
    if not ids or not all(v.isdigit() for v in ids):
        fail(400, _("Tick the users who get the position."))
    if not position_id.isdigit():
        fail(400, _("Choose a position from the list."))
    position = Position.get_or_none(Position.id == int(position_id)) if int(position_id) else None
    if int(position_id) and position is None:
        fail(404, _("This position does not exist (any more)."))
    users = list(User.select().where(User.id.in_([int(v) for v in ids])))
    if len(users) != len(set(ids)):
        fail(404, _("There is no such user."))
    with db.atomic():
        for user in users:
            before = field_values(user)
            user.position = position
            _save_user(user, "update", before)
    flash(_("%(count)d users now hold %(position)s.", count=len(users),
            position=position.name if position else _("— no position —")), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        user = User(must_change_password=True)
        _fill_user(user, form)
        password = passwords.generate(user.username)
        user.set_password(password)
        _save_user(user, "create")
        return render_template("core/admin/password_shown.html", user=user, password=password, created=True)
    return render_template("core/admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id):
    user = _user_or_404(user_id)
    form = UserForm(obj=user, user_id=user.id) if request.method == "GET" else UserForm(user_id=user.id)
    if request.method == "GET":
        form.position.data = user.position_id or 0
    if form.validate_on_submit():
        if user.id == current_user.id and user.is_admin and not form.is_admin.data:
            form.is_admin.errors.append(_("You cannot take away your own administrator rights."))
        else:
            before = field_values(user)
            _fill_user(user, form)
            _save_user(user, "update", before)
            flash(_("The user %(name)s is saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("core/admin/user_form.html", form=form, user=user)


def _fill_user(user, form):
    user.username = form.username.data.strip()
    user.full_name = (form.full_name.data or "").strip()
    user.email = (form.email.data or "").strip()
    user.position = form.position.data or None
    user.language = form.language.data
    user.is_admin = bool(form.is_admin.data)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def user_set_active(user_id):
    user = _user_or_404(user_id)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        fail(409, _("You cannot deactivate your own account."))
    before = field_values(user)
    user.active = active
    user.deactivated_by_admin = not active  # a roster re-import never undoes the administrator's choice
    with db.atomic():
        _save_user(user, "activate" if active else "deactivate", before)
    if active:
        flash(_("%(name)s can log in again.", name=user.username), "success")
    else:
        flash(_("%(name)s is deactivated and cannot log in; their records stay.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@admin_required
def user_reset_password(user_id):
    """A new random password, shown once on the answer page (never flashed: the session cookie is not secret)."""
    user = _user_or_404(user_id)
    password = passwords.generate(user.username)
    user.set_password(password)
    user.must_change_password = True
    with db.atomic():
        _save_user(user, "password_reset")
    return render_template("core/admin/password_shown.html", user=user, password=password, created=False)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@admin_required
def user_unlock(user_id):
    """End a login lock-out of the user's account (every browser), audited as "unlock"."""
    user = _user_or_404(user_id)
    lockout.unlock(user, current_user)
    flash(_("The login of %(name)s is unlocked.", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# --- organisation profile ---------------------------------------------------------------------------------

# The first bytes of the image types a logo may be; SVG is refused (it can carry scripts).
IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def image_kind(head):
    """'png', 'jpg', 'gif' or 'webp' from a file's first bytes, or None."""
    for signature, kind in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@functools.lru_cache(maxsize=1)
def time_zones():
    """The IANA names zoneinfo knows (looking a bad name up directly goes through the import machinery)."""
    return frozenset(zoneinfo.available_timezones())


def currency_choices():
    from babel.numbers import get_currency_name
    locale = get_locale()
    codes = sorted(list_currencies())
    return choices((c, f"{c} — {get_currency_name(c, locale=locale)}") for c in codes)


def month_choices():
    names = get_month_names("wide", locale=get_locale())
    return choices((m, names[m]) for m in range(1, 13))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    website = StringField(_l("Website"), validators=[
        Optional(), Length(max=200), URL(message=_l("Enter a full web address, e.g. https://example.edu.cn"))])
    logo = FileField(_l("Logo"), description=_l("PNG, JPEG, GIF or WebP; at most %(size)s KB."))
    remove_logo = BooleanField(_l("Remove the logo"))
    currency = SelectField(_l("Currency"))
    fiscal_year_start = SelectField(_l("Fiscal year starts in"), coerce=int)
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)],
                           description=_l("An IANA time zone name, e.g. Asia/Shanghai"))
    default_language = SelectField(_l("Default language"), choices=choices(LANGUAGE_CHOICES[1:]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = currency_choices()
        self.fiscal_year_start.choices = month_choices()
        self.logo.description = _("PNG, JPEG, GIF or WebP; at most %(size)s KB.",
                                  size=current_app.config["MAX_LOGO_BYTES"] // 1024)

    def validate_timezone(self, field):
        if field.data.strip() not in time_zones():
            raise ValidationError(_("Unknown time zone %(name)s; use a name such as Asia/Shanghai.",
                                    name=field.data))

    def validate_logo(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            field.data = None
            return
        data = upload.read(current_app.config["MAX_LOGO_BYTES"] + 1)
        if len(data) > current_app.config["MAX_LOGO_BYTES"]:
            raise ValidationError(_("The logo is too large: at most %(size)s KB.",
                                    size=current_app.config["MAX_LOGO_BYTES"] // 1024))
        kind = image_kind(data[:16])
        if kind is None:
            raise ValidationError(_("The logo must be a PNG, JPEG, GIF or WebP image (SVG is not accepted)."))
        field.data = (kind, data)


@bp.route("/organisation", methods=["GET", "POST"])
@admin_required
def organisation():
    org = Organisation.get_profile()
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        old_logo = org.logo
        values = dict(name=form.name.data.strip(), address=(form.address.data or "").strip(),
                      phone=(form.phone.data or "").strip(), website=(form.website.data or "").strip(),
                      currency=form.currency.data, fiscal_year_start=form.fiscal_year_start.data,
                      timezone=form.timezone.data.strip(), default_language=form.default_language.data,
                      modified_at=clock.utcnow())
        with db.atomic():  # the logo is in the database: a failed save keeps the old one and stores no new one
            if form.logo.data:
                values["logo"] = _store_logo(*form.logo.data)
            elif form.remove_logo.data:
                values["logo"] = ""
            if not Organisation.select().where(Organisation.id == 1).exists():
                Organisation.insert(id=1).execute()
            before = field_values(Organisation.get_by_id(1))
            Organisation.update(**values).where(Organisation.id == 1).execute()
            if values["timezone"] != before.get("timezone"):    # the stored local dates follow, in this transaction
                localdates.recompute({rt.model for rt in record_types().values()}, values["timezone"])
            changes = diff(before, {**before, **values})
            changes.pop("modified_at", None)
            audit("organisation", 1, "update", current_user, changes)
            if old_logo and values.get("logo", old_logo) != old_logo:
                filestore.remove(old_logo)
        g.pop("org_profile", None)
        flash(_("The organisation profile is saved."), "success")
        return redirect(url_for("admin.organisation"))
    return render_template("core/admin/organisation.html", form=form, org=org)


LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def _store_logo(kind, data):
    name = f"logo-{secrets.token_hex(8)}.{kind}"
    filestore.write(name, [data], LOGO_TYPES[kind])
    return name


# --- plugins --------------------------------------------------------------------------------------------

def _plugins():
    return current_app.extensions["zhixin_plugins"]


def env_decides():
    """True when ZHIXIN_PLUGINS (or safe mode) fixes the enabled set, so the page cannot change it."""
    return current_app.config.get("PLUGINS") is not None or bool(current_app.config.get("SAFE_MODE"))


def stored_choice():
    """The administrator's enabled set as stored (defaults: bundled and in-process plugins on)."""
    states = {row.name: row.enabled for row in PluginState.select()}
    names, _unknown = enabled_names({"PLUGINS": None}, _plugins().available, states)
    return set(names)


@bp.route("/plugins")
@admin_required
def plugins():
    plugins = _plugins()
    chosen = stored_choice()
    rows = []
    for name in sorted(plugins.available):
        info = plugins.available[name]
        rows.append(dict(info=info, description=info.description, running=plugins.is_enabled(name),
                         chosen=name in chosen, required_by=sorted(n for n in chosen if name in plugins.available[n].requires)))
    unknown = {n: m for n, m in plugins.errors.items() if n not in plugins.available}
    return render_template("core/admin/plugins.html", rows=rows, unknown=unknown, read_only=env_decides(),
                           env_value=",".join(current_app.config.get("PLUGINS") or []))


def _requirements(name, available, seen=None):
    seen = set() if seen is None else seen
    for req in available[name].requires:
        if req not in seen and req in available:
            seen.add(req)
            _requirements(req, available, seen)
    return seen


@bp.route("/plugins/<name>/<action>", methods=["POST"])
@admin_required
def plugin_switch(name, action):
    plugins = _plugins()
    if env_decides():
        fail(409, _("ZHIXIN_PLUGINS decides which plugins are enabled; change it there and restart."))
    if name not in plugins.available or action not in ("enable", "disable"):
        fail(404, _("There is no plugin named %(name)s.", name=name))
    available = plugins.available
    chosen = stored_choice()
    if action == "enable":
        missing = [r for r in available[name].requires if r not in available]
        if missing:
            fail(409, _("%(name)s requires %(missing)s, which is not installed.", name=name,
                        missing=", ".join(missing)))
        turn_on = {name} | _requirements(name, available)
        _store_states({n: True for n in turn_on})
        also = sorted(turn_on - chosen - {name})
        flash(_("%(name)s will be enabled after a restart.", name=name)
              + (" " + _("Its requirements are enabled too: %(names)s.", names=", ".join(also)) if also else ""),
              "success")
    else:
        dependants = sorted(n for n in chosen if n != name and name in _requirements(n, available))
        if dependants:
            fail(409, _("%(name)s cannot be disabled while %(others)s requires it.", name=name,
                        others=", ".join(dependants)))
        _store_states({name: False})
        flash(_("%(name)s will be disabled after a restart.", name=name), "success")
    return redirect(url_for("admin.plugins"))


def _store_states(states):
    with db.atomic():
        for plugin_name, enabled in states.items():
            updated = PluginState.update(enabled=enabled, changed_at=clock.utcnow()).where(
                PluginState.name == plugin_name).execute()
            if not updated:
                PluginState.create(name=plugin_name, enabled=enabled, changed_at=clock.utcnow())
