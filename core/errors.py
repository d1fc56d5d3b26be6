"""Error pages that say what went wrong, in the user's language (never a bare 500 for bad input)."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.babel import gettext as _

MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("There is nothing here, or you may not see it."),
    405: lambda: _("That action is not allowed here."),
    409: lambda: _("This conflicts with the current state of the data."),
    413: lambda: _("The upload is too large."),
    429: lambda: _("Too many attempts. Please wait and try again."),
    500: lambda: _("Something went wrong on our side."),
}


def render_error(code, message=None):
    text = message or MESSAGES.get(code, MESSAGES[500])()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=text, status=code), code
    return render_template("core/error.html", code=code, message=text), code


def init_app(app):
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_error(400, _("The form expired or was not sent from this site (missing CSRF token). "
                                   "Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        description = getattr(exc, "zhixin_message", None)
        return render_error(exc.code or 500, description)

    @app.errorhandler(500)
    def _server_error(exc):  # an unexpected exception (outside tests, which let it propagate)
        return render_error(500)
