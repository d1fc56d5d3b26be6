"""Flask-Babel with the request's catalog looked up once (每个请求只查一次译文目录).

Flask-Babel finds the catalog for every string it translates: the request's context three times over
(``g``), the locale's identifier, the cache — ~9 µs a string, and a page translates a hundred or more (labels,
choices, lazy strings, ``_()`` in templates): about a millisecond of every page. :class:`Babel` here keeps
Flask-Babel's behaviour and remembers, in the same per-request namespace where Flask-Babel keeps the
request's locale, which catalog that locale had: the next string reads it from there. A changed locale —
``force_locale`` (an e-mail in its recipient's language), ``refresh()`` after a user changes theirs — is a
different locale object, and the catalog is found again.
"""
from flask import g
from flask_babel import Babel as FlaskBabel, Domain as FlaskDomain
from werkzeug.utils import cached_property


class Domain(FlaskDomain):
    def get_translations(self):
        try:
            ctx = g._flask_babel
        except (AttributeError, RuntimeError):  # no request yet (or no app context): Flask-Babel's way
            return super().get_translations()
        memo = getattr(ctx, "zx_translations", None)
        if memo is not None and memo[0] is getattr(ctx, "babel_locale", None):
            return memo[1]
        translations = super().get_translations()
        ctx.zx_translations = (getattr(ctx, "babel_locale", None), translations)
        return translations


class Babel(FlaskBabel):
    @cached_property
    def domain_instance(self):
        return Domain(domain=self.domain)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        # ``_()`` in templates: straight to the domain, as Flask-Babel's own callables end up
        catalog = lambda: self.domain_instance.get_translations()  # noqa: E731
        app.jinja_env.install_gettext_callables(
            gettext=lambda s: catalog().ugettext(s), ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
            pgettext=lambda c, s: catalog().upgettext(c, s),
            npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n), newstyle=True)
