"""Login, logout, the forced change of credentials at first login, own password and language."""
import datetime as _dt
import math
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from core import clock
from core.db import db
from core.forms import PasswordStrength
from core.models import LoginAttempt, User
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
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordStrength("username")])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordStrength()])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class PreferencesForm(FlaskForm):
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES))


def _address():
    return (request.remote_addr or "unknown")[:64]


def _locked_minutes(username):
    """Minutes left of a lock-out for this account or address, or 0."""
    cfg = current_app.config
    window = clock.utcnow() - _dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    recent = LoginAttempt.select().where(LoginAttempt.at > window)
    for query in (recent.where(LoginAttempt.username == username.lower()),
                  recent.where(LoginAttempt.address == _address())):
        if query.count() >= cfg["LOGIN_MAX_FAILURES"]:
            oldest = query.order_by(LoginAttempt.at.desc()).offset(cfg["LOGIN_MAX_FAILURES"] - 1).first()
            left = oldest.at + _dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"]) - clock.utcnow()
            return max(1, math.ceil(left.total_seconds() / 60))
    return 0


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        locked = _locked_minutes(username)
        if locked:
            flash(_("Too many failed logins. This account or address is locked for %(minutes)d minutes.",
                    minutes=locked), "error")
            return render_template("core/login.html", form=form), 429
        user = User.get_or_none(User.username == username)
        if user is None or not user.check_password(form.password.data):
            with db.atomic():
                LoginAttempt.create(username=username.lower()[:80], address=_address(), at=clock.utcnow())
                # attempts older than the lock window count for nothing: keep the table small
                LoginAttempt.delete().where(LoginAttempt.at < clock.utcnow() - _dt.timedelta(
                    minutes=current_app.config["LOGIN_LOCK_MINUTES"])).execute()
            flash(_("Wrong user name or password."), "error")
            return render_template("core/login.html", form=form), 200
        if not user.active:
            flash(_("This account is deactivated. Ask your administrator."), "error")
            return render_template("core/login.html", form=form), 200
        with db.atomic():
            LoginAttempt.delete().where(LoginAttempt.username == username.lower()).execute()
            User.update(last_login_at=clock.utcnow()).where(User.id == user.id).execute()
        session.clear()
        login_user(user)
        return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    return render_template("core/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


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
            user.save()
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
            user.save()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("core/account.html", password_form=password_form, prefs=prefs, user=user)


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
        user = User(username=username, full_name="Administrator", is_admin=True,
                    must_change_password=True, must_change_username=True)
        user.set_password(password)
        user.save()
        return user, password
