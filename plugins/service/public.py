"""The public form's abuse controls (公开表单防滥用): single-use challenges and the flood ceilings.

Both live in the database, so every worker agrees. A challenge is asked by one rendering of the form (a
random token in the form, the answer kept here) and answered once: claiming it is a conditional UPDATE, so a
replayed or copied answer finds it used. A post is admitted while its address (the client's, through the
documented proxy setting) and the whole form stay under their ceilings in the window; a refused post is not
counted, so one flooding address cannot close the form for everyone. Times are real time (never the
teaching clock)."""
import datetime as dt
import secrets

from flask import current_app, request
from flask_babel import gettext as _

from core import clock
from core.db import db
from plugins.service.models import PublicChallenge, PublicSubmission

CHALLENGE_MINUTES = 60      # a question stays answerable this long


def new_challenge():
    """A fresh arithmetic question for one rendering of the form: (token, question text)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = secrets.token_urlsafe(32)
    PublicChallenge.create(token=token, answer=a + b, asked_at=clock.real_utcnow())
    return token, f"{a} + {b}"


def check_answer(token, answer):
    """Use up the challenge ``token`` and check ``answer``: None when passed, else the reason. A token
    answers once, right or wrong."""
    now = clock.real_utcnow()
    fresh = now - dt.timedelta(minutes=CHALLENGE_MINUTES)
    claimed = PublicChallenge.update(used_at=now).where(
        (PublicChallenge.token == (token or "")[:64]) & PublicChallenge.used_at.is_null()
        & (PublicChallenge.asked_at > fresh)).execute()
    if claimed != 1:
        return _("The question expired. Please answer the new one.")
    challenge = PublicChallenge.get(PublicChallenge.token == token)
    if (now - challenge.asked_at).total_seconds() < current_app.config.get("SERVICE_MIN_FILL_SECONDS", 3):
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


def refusal(settings):
    """Count this post if its address and the form are under their ceilings; else the reason it is refused."""
    now = clock.real_utcnow()
    address = client_address()
    recent = PublicSubmission.select().where(
        PublicSubmission.at > now - dt.timedelta(minutes=settings.public_window_minutes))
    with db.atomic() as transaction:
        PublicSubmission.create(address=address, at=now)
        if recent.where(PublicSubmission.address == address).count() > settings.public_limit:
            transaction.rollback()
            return _("Too many messages from your address. Please try again later.")
        if recent.count() > settings.public_global_limit:
            transaction.rollback()
            return _("The form is receiving too many messages. Please try again later.")
    return None


def purge(app=None, keep_days=2):
    """Forget posts and challenges older than any window needs."""
    before = clock.real_utcnow() - dt.timedelta(days=keep_days)
    with db.atomic():
        posts = PublicSubmission.delete().where(PublicSubmission.at < before).execute()
        asked = PublicChallenge.delete().where(PublicChallenge.asked_at < before).execute()
    return posts + asked
