"""Flask-Babel with the request's catalog looked up once (每个请求只查一次译文目录).

Flask-Babel finds the catalog for every string it translates: the request's context three times over
(``g``), the locale's identifier, the cache — ~9 µs a string, and a page translates a hundred or more (labels,
choices, lazy strings, ``_()`` in templates): about a millisecond of every page. :class:`Babel` here keeps
Flask-Babel's behaviour and remembers, in the same per-request namespace where Flask-Babel keeps the
request's locale, which catalog that locale had: the next string reads it from there. A changed locale —
``force_locale`` (an e-mail in its recipient's language), ``refresh()`` after a user changes theirs — is a
different locale object, and the catalog is found again.

:func:`gettext`, :func:`lazy_gettext` and the others are Flask-Babel's, reading that catalog directly
(Flask-Babel's own go through ``get_domain()`` first: three more context lookups, ~2.5 µs a string). Core and
the bundled plugins import them from here; a plugin that imports Flask-Babel's gets the same strings.
"""
from flask import g
from flask_babel import Babel as FlaskBabel, Domain as FlaskDomain, LazyString, get_domain, get_locale
from werkzeug.utils import cached_property


def _remembered():
    """The request's remembered catalog, if its locale is still the request's; else None."""
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):  # no request yet (or no app context)
        return None
    memo = getattr(ctx, "zx_translations", None)
    if memo is not None and memo[0] is getattr(ctx, "babel_locale", None):
        return memo[1]
    return None


def catalog():
    """The catalog strings are translated with now (Flask-Babel's ``get_translations()``)."""
    translations = _remembered()
    return get_domain().get_translations() if translations is None else translations


def locale_name():
    """``str(get_locale())`` ("zh_CN", "en"; "" outside a request), remembered for the request's locale object
    like its catalog: list cells ask it for each amount, date and stage (~3 µs each time otherwise)."""
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):  # not asked yet in this request (or no request at all)
        locale = get_locale()
        return str(locale) if locale else ""
    locale = getattr(ctx, "babel_locale", None) or get_locale()
    memo = getattr(ctx, "zx_locale_name", None)
    if memo is None or memo[0] is not locale:
        memo = ctx.zx_locale_name = (locale, str(locale) if locale else "")
    return memo[1]


class Domain(FlaskDomain):
    def get_translations(self):
        translations = _remembered()
        if translations is None:
            translations = super().get_translations()
            try:
                ctx = g._flask_babel
            except (AttributeError, RuntimeError):  # outside a request nothing is remembered
                return translations
            ctx.zx_translations = (getattr(ctx, "babel_locale", None), translations)
        return translations


def gettext(string, **variables):
    text = catalog().ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return catalog().ungettext(singular, plural, num) % variables


def pgettext(context, string, **variables):
    text = catalog().upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string, **variables):
    return LazyString(gettext, string, **variables)


def lazy_pgettext(context, string, **variables):
    return LazyString(pgettext, context, string, **variables)


class Babel(FlaskBabel):
    @cached_property
    def domain_instance(self):
        return Domain(domain=self.domain)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        # ``_()`` in templates: straight to the catalog, as Flask-Babel's own callables end up
        app.jinja_env.install_gettext_callables(
            gettext=lambda s: catalog().ugettext(s), ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
            pgettext=lambda c, s: catalog().upgettext(c, s),
            npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n), newstyle=True)
