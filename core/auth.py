"""Login, logout, the forced change of credentials at first login, own password and language."""
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from core import clock, lockout, passwords, sessions
from core.babel import gettext as _, lazy_gettext as _l, ngettext
from core.db import db
from core.forms import PasswordStrength
from core.models import User
from core.models.users import verify_password
from core.web import safe_next

bp = Blueprint("auth", __name__)
USERNAME_RULE = Regexp(r"^[\w.@+-]+$", message=_l("Use letters, digits and . @ + - _ only."))


def choices(pairs):
    """(value, label) pairs as WTForms select choices (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = (("", _l("As the browser asks")), ("zh", "中文"), ("en", "English"))


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class CredentialsForm(FlaskForm):
    username = StringField(_l("New user name"), validators=[DataRequired(), Length(min=3, max=80), USERNAME_RULE])
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordStrength("username")],
                             description=passwords.HINT)
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordStrength()],
                             description=passwords.HINT)
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class PreferencesForm(FlaskForm):
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES))


def credentials_changed(user, reason, keep_this=False):
    """What opens ``user``'s account changed (a password, the active flag): every session of the account ends
    (with ``keep_this``, all but this browser's, for the user's own password change), and the plugins drop
    what the old state opened (``zhixin_user_credentials_changed``, e.g. feed links). Call it inside the
    transaction that writes the change."""
    sessions.end_all([user.id], keep_this=keep_this)
    current_app.extensions["zhixin_plugins"].results("zhixin_user_credentials_changed", per_user=False,
                                                     user=user, reason=reason)


def _refused(refusal, form):
    if refusal.scope == "address":
        message = ngettext("Too many failed logins from this network address. Try again in %(num)d minute.",
                           "Too many failed logins from this network address. Try again in %(num)d minutes.",
                           refusal.minutes)
    else:
        message = ngettext("Too many failed logins: this account is locked for %(num)d minute. Try again then, "
                           "or ask your teacher or the administrator to unlock it.",
                           "Too many failed logins: this account is locked for %(num)d minutes. Try again then, "
                           "or ask your teacher or the administrator to unlock it.", refusal.minutes)
    flash(message, "error")
    return render_template("core/login.html", form=form), 429


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in; failures are counted and locked per account and browser (core.lockout), in real time."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        account = lockout.account_key(username)
        client = lockout.client_of(account)
        refusal = lockout.claim(account, client)
        if refusal:
            return _refused(refusal, form)
        user = authenticate(username, form.password.data)
        if user is None:
            lockout.failed(account)
            flash(_("Wrong user name or password."), "error")
            return render_template("core/login.html", form=form), 200
        session.clear()
        rehashed = _new_hash_if_outdated(user, form.password.data)  # (hashed before the write transaction)
        with db.atomic():
            lockout.succeeded(account, client)
            User.update(last_login_at=clock.real_utcnow(), **rehashed).where(User.id == user.id).execute()
            login_user(user)
            sessions.start(user)
        response = redirect(safe_next(request.args.get("next"), url_for("main.home")))
        lockout.remember_device(response, account)
        return response
    return render_template("core/login.html", form=form)


def authenticate(username, password):
    """The active user with this name and password, or None. An unknown or deactivated name is checked against
    a dummy hash of the configured method: every answer costs one hash check, so timing tells no one who exists."""
    user = User.get_or_none(User.username == username)
    if user is None or not user.active:
        verify_password(passwords.dummy_hash(current_app.config["PASSWORD_METHOD"]), password)
        return None
    return user if user.check_password(password) else None


def _new_hash_if_outdated(user, password):
    """After a correct login, ``{"password_hash": …}`` when the stored hash was made with other settings than the
    configured ones (an older default, a changed ZHIXIN_PASSWORD_METHOD), else ``{}``: the login stores a hash
    made with them, so a school's hashes move on by themselves."""
    method = current_app.config["PASSWORD_METHOD"]
    if not passwords.outdated(user.password_hash, method):
        return {}
    return {"password_hash": passwords.make_hash(password, method)}


def _log_out(message):
    sessions.end()
    logout_user()
    flash(message, "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout", methods=["POST"])
def logout():
    return _log_out(_("You have logged out."))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """Every session of this account ends, this browser's too (a cookie left on another computer, say)."""
    sessions.end_all([current_user.id])
    return _log_out(_("You have logged out everywhere: every browser must log in again."))


def _save_password(user):
    """Save a password the user chose: every other session of the account ends, this one goes on."""
    with db.atomic():
        user.save()
        credentials_changed(user, "password_changed", keep_this=True)


@bp.route("/account/credentials", methods=["GET", "POST"])
@login_required
def change_credentials():
    """The first login of the administrator (and of imported students) must change credentials."""
    user = current_user._get_current_object()
    form = CredentialsForm(username=user.username)
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        elif form.password.data == form.current_password.data:
            form.password.errors.append(_("Choose a password different from the current one."))
        elif form.username.data != user.username and User.select().where(
                User.username == form.username.data).exists():
            form.username.errors.append(_("This user name is taken."))
        elif user.must_change_username and form.username.data == user.username:
            form.username.errors.append(_("Choose a user name of your own instead of the initial one."))
        else:
            user.username = form.username.data
            user.set_password(form.password.data)
            user.must_change_password = False
            user.must_change_username = False
            _save_password(user)
            flash(_("Your user name and password are saved."), "success")
            return redirect(url_for("main.home"))
    return render_template("core/change_credentials.html", form=form, user=user)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    password_form = PasswordForm(prefix="pw")
    prefs = PreferencesForm(prefix="prefs", language=user.language)
    if request.method == "POST" and "prefs-language" in request.form:
        if prefs.validate():
            user.language = prefs.language.data
            user.save()
            refresh()
            flash(_("Your preferences are saved."), "success")
            return redirect(url_for("auth.account"))
    elif password_form.validate_on_submit():
        if not user.check_password(password_form.current_password.data):
            password_form.current_password.errors.append(_("The current password is wrong."))
        else:
            user.set_password(password_form.password.data)
            _save_password(user)
            flash(_("Your password is changed; every other browser logged in to your account must log in "
                    "again."), "success")
            return redirect(url_for("auth.account"))
    return render_template("core/account.html", password_form=password_form, prefs=prefs, user=user,
                           other_sessions=sessions.others(user))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        code = "zh"
    session["language"] = code
    if current_user.is_authenticated:
        User.update(language=code).where(User.id == current_user.id).execute()
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


def ensure_admin(app, password=None, username="admin"):
    """Create the administrator if there is none; returns (user, password or None if it existed)."""
    with app.app_context(), db.connection_context():
        existing = User.select().where(User.is_admin).first()
        if existing:
            return existing, None
        password = password or secrets.token_urlsafe(12)
        user = User(username=username, full_name=_("Administrator"), is_admin=True,
                    must_change_password=True, must_change_username=True)
        user.set_password(password)
        user.save()
        return user, password
