"""Public forms' abuse controls (公开表单防滥用): the single-use challenge, the flood ceilings, the honeypot and
the client address, for every form a visitor fills in without logging in (the service plugin's feedback form,
the campaigns plugin's web-to-lead forms).

Everything lives in the database, so every worker agrees. A challenge is asked by one rendering of a form (a
random token in the form, the answer kept here) and answered once: claiming it is a conditional UPDATE, so a
replayed or copied answer finds it used; it answers only the form that asked it. A post is admitted while its
address (the client's, through the documented proxy setting ``PROXY_COUNT``) and the whole form stay under
their ceilings in the window; a refused post is not counted, so one flooding address cannot close the form for
everyone. Times are real time (never the teaching clock).

The challenge also stands in for a session CSRF token where a form cannot count on the session cookie (a form
embedded in another site's page, whose cookies the browser withholds): a post needs a token this site handed
out in a rendering of this very form, usable once — see :func:`without_session_csrf`."""
import datetime as dt
import secrets

from flask import request
from wtforms import HiddenField, StringField, ValidationError
from wtforms.validators import DataRequired

from core import clock
from core.babel import gettext as _, lazy_gettext as _l
from core.db import db
from core.models import PublicChallenge, PublicSubmission

CHALLENGE_MINUTES = 60      # a question stays answerable this long
MIN_FILL_SECONDS = 3        # a person needs at least this long to fill a form in
KEEP_DAYS = 2               # posts and questions are forgotten after this (longer than any window)


class Visitor:
    """The author of a public-form submission: nobody logged in (stamped as NULL, audited as such). It looks
    enough like an anonymous user for other plugins' record hooks."""
    id = None
    username = ""
    full_name = display_name = "public form"
    email = language = ""
    is_authenticated = is_active = is_admin = False
    is_anonymous = True
    position_id = None
    position = None

    def get_id(self):
        return None


VISITOR = Visitor()


class ChallengeFields:
    """The fields every public form carries (a mixin for a FlaskForm): ``challenge`` (the token of the
    question this rendering asked), ``answer`` and the honeypot ``website``, which people never see or fill."""
    answer = StringField(_l("Answer to the question"), validators=[DataRequired()])
    challenge = HiddenField()
    website = StringField(_l("Leave this field empty"))

    def validate_website(self, field):
        if field.data:
            raise ValidationError(_l("Leave this field empty."))


def new_challenge(form_key):
    """A fresh arithmetic question for one rendering of form ``form_key``: (token, question text)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = secrets.token_urlsafe(32)
    PublicChallenge.create(form=form_key, token=token, answer=a + b, asked_at=clock.real_utcnow())
    return token, f"{a} + {b}"


def check_answer(form_key, token, answer, min_seconds=MIN_FILL_SECONDS):
    """Use up the challenge ``token`` of form ``form_key`` and check ``answer``: None when passed, else the
    reason. A token answers once, right or wrong; one asked by another form, or too long ago, never."""
    now = clock.real_utcnow()
    token = (token or "")[:64]
    fresh = now - dt.timedelta(minutes=CHALLENGE_MINUTES)
    claimed = PublicChallenge.update(used_at=now).where(
        (PublicChallenge.token == token) & (PublicChallenge.form == form_key) & PublicChallenge.used_at.is_null()
        & (PublicChallenge.asked_at > fresh)).execute()
    if claimed != 1:
        return _("The question expired. Please answer the new one.")
    challenge = PublicChallenge.get(PublicChallenge.token == token)
    if (now - challenge.asked_at).total_seconds() < min_seconds:
        return _("That was quicker than a person can type. Please try again.")
    try:
        value = int((answer or "").strip())
    except ValueError:
        return _("Answer the question with a number.")
    if value != challenge.answer:
        return _("That answer is not right. Please try the new question.")
    return None


def client_address():
    """The client's address: ``remote_addr``, which the proxy setting (ProxyFix) takes from X-Forwarded-For."""
    return (request.remote_addr or "unknown")[:64]


def refusal(form_key, per_address, window_minutes, per_form):
    """Count this post of form ``form_key`` if its address and the form are under their ceilings (at most
    ``per_address`` posts from one address and ``per_form`` from all addresses in ``window_minutes``); else
    the reason it is refused. The row is written first and the counts read after, in one transaction, so
    parallel posts cannot all slip under a ceiling."""
    now = clock.real_utcnow()
    address = client_address()
    recent = PublicSubmission.select().where(
        (PublicSubmission.form == form_key) & (PublicSubmission.at > now - dt.timedelta(minutes=window_minutes)))
    with db.atomic() as transaction:
        PublicSubmission.create(form=form_key, address=address, at=now)
        if recent.where(PublicSubmission.address == address).count() > per_address:
            transaction.rollback()
            return _("Too many messages from your address. Please try again later.")
        if recent.count() > per_form:
            transaction.rollback()
            return _("The form is receiving too many messages. Please try again later.")
    return None


def without_session_csrf(view):
    """Mark a view whose form is protected by the single-use challenge instead of the session's CSRF token
    (core.app exempts it from Flask-WTF's check). Only for a form that needs no login and changes nothing
    that belongs to a session: forging it gains nothing a visitor could not do by filling it in."""
    view.zhixin_public_form = True
    return view


def embeddable(response, ancestors="*"):
    """Let other sites frame this one response (core.app then sends CSP ``frame-ancestors`` ``ancestors`` and
    no X-Frame-Options; every other page keeps refusing frames). Only for a public form's own page: it reads no
    session and shows nothing private, so a framing site gains nothing a visitor could not do directly."""
    response.frame_ancestors = ancestors
    return response


def purge(app=None, keep_days=KEEP_DAYS):
    """Forget posts and challenges older than any window needs (the job ``core.purge_public_forms``)."""
    before = clock.real_utcnow() - dt.timedelta(days=keep_days)
    with db.atomic():
        posts = PublicSubmission.delete().where(PublicSubmission.at < before).execute()
        asked = PublicChallenge.delete().where(PublicChallenge.asked_at < before).execute()
    return posts + asked
