"""The public web-to-lead page (网页表单) at ``/w/<token>``: no login, in the visitor's language (``?lang=zh`` or
``?lang=en``, else the browser's), framed by any site (core.publicforms.embeddable), protected by core's
single-use challenge, honeypot and ceilings instead of a session CSRF token (an embedded page gets no cookies)."""
from contextlib import nullcontext

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import force_locale

from core import publicforms
from plugins.campaigns import webforms
from plugins.campaigns.forms import web_lead_form

bp = Blueprint("campaigns_public", __name__, url_prefix="/w")
LANGUAGES = ("zh", "en")


def _language():
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else None


@bp.route("/<token>", methods=["GET", "POST"])
@publicforms.without_session_csrf
def form(token):
    lang = _language()
    with force_locale(lang) if lang else nullcontext():
        response = make_response(_form(token, lang))
    return publicforms.embeddable(response)


def _form(token, lang):
    webform = webforms.open_form(token)
    if webform is None:
        return render_template("campaigns/web_form_closed.html", lang=lang), 404
    key = webforms.form_key(webform)
    form = web_lead_form(webform)
    error, status = None, 200
    if request.method == "POST":
        refused = publicforms.refusal(key, webform.per_address_limit, webform.window_minutes,
                                      webform.per_form_limit)
        if refused:
            return render_template("campaigns/web_form_refused.html", webform=webform, reason=refused), 429
        error = publicforms.check_answer(key, form.challenge.data, form.answer.data,
                                         current_app.config.get("CAMPAIGNS_MIN_FILL_SECONDS",
                                                                publicforms.MIN_FILL_SECONDS))
        if form.validate() and error is None:
            webforms.submit(webform, {name: form[name].data for name in webform.field_names})
            return render_template("campaigns/web_form_thanks.html", webform=webform), 200
        status = 400
        form.answer.data = ""
    form.challenge.data, question = publicforms.new_challenge(key)
    return render_template("campaigns/web_form_public.html", webform=webform, form=form, question=question,
                           challenge_error=error, lang=lang), status
