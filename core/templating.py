"""What every template can use: the menu, slots, widgets, and filters for money and dates in the
organisation's currency and time zone."""
import datetime as _dt
import decimal
import functools
import re
from dataclasses import dataclass

from flask import current_app, g, request, url_for
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency as babel_format_currency, get_currency_precision
from flask_babel import format_datetime, format_decimal
from flask_login import current_user
from markupsafe import Markup, escape

from core import clock, lockout, names, positions as position_tree, stamp
from core.babel import lazy_gettext as _l, locale_name
from core.extension import MenuItem, Slot
from core.web import query_link
from core.records.registry import registry

# the side menu's sections: core's first, then one per plugin (its "plugins" entries, in the order of the
# plugin's first entry), then teaching and administration
HEAD_GROUPS, TAIL_GROUPS = ("main", "records"), ("instructor", "admin")
GROUP_TITLES = {"records": _l("Customers & sales"), "instructor": _l("Teaching"), "admin": _l("Administration")}


@dataclass
class MenuSection:
    """A section of the side menu: ``id`` (a group or a plugin's name), its title (none for "main"), its
    ``links``: (item, address) pairs."""
    id: str
    title: object
    links: list


def menu_for(user):
    """The side menu of ``user``: kept in the settings cache per user and language (the items depend on the
    user's position, the modules on for their class and the plugins on, all of which bump the stamp; see
    ``zhixin_menu_items``), so that no menu hook runs and no address is built on an ordinary page."""
    key = ("menu", user.id, locale_name(), request.script_root)
    return stamp.cached(key, lambda: _build_menu(user))


_MARK = re.compile("\x00([^\x00]*)\x00")
ACTIVE = Markup('class="active" aria-current="page"')


def sidebar():
    """The side menu (the theme's ``_sidebar.html``) of the current user with the entry whose address matches
    the current page the furthest marked active: rendered once per user, language and stamp version (beside
    :func:`menu_for`), then marked per request — a page renders no menu loop."""
    if not current_user.is_authenticated:
        return Markup("")
    user = current_user._get_current_object()
    key = ("sidebar", user.id, locale_name(), request.script_root)
    html, hrefs = stamp.cached(key, lambda: _render_sidebar(user))
    path = request.path
    active = max((h for h in hrefs if path == h or (h != "/" and path.startswith(h))), key=len, default=None)
    return Markup(_MARK.sub(lambda m: ACTIVE if m.group(1) == active else "", html))


def _render_sidebar(user):
    from flask import render_template
    sections = menu_for(user)
    hrefs = [href for section in sections for _item, href in section.links]
    html = render_template("_sidebar.html", menu_sections=sections,
                           active_mark=lambda href: Markup(f"\x00{href.replace(chr(0), '')}\x00"))
    return html, hrefs


def _build_menu(user):
    plugins = current_app.extensions["zhixin_plugins"]
    items = [(plugin if item.group == "plugins" else item.group, item)
             for plugin, item in plugins.results("zhixin_menu_items", user=user)]
    owners = current_app.extensions["zhixin_record_type_plugins"]
    for rt in registry().values():
        if rt.menu_group and plugins.is_on(owners.get(rt.name, "core:"), user):
            items.append((rt.menu_group, MenuItem(f"records:{rt.name}", rt.label_plural, "records.list",
                                                  group=rt.menu_group, order=rt.menu_order, icon=rt.icon,
                                                  endpoint_args={"type_name": rt.name})))
    groups = {}
    for group, item in sorted(items, key=lambda pair: (pair[1].order, str(pair[1].label))):
        groups.setdefault(group, []).append(item)
    middle = [g for g in groups if g not in HEAD_GROUPS + TAIL_GROUPS]       # already in order of first entry
    titles = {name: info.title for name, info in plugins.available.items()}
    return [MenuSection(g, "" if g == "main" else (GROUP_TITLES.get(g) or titles.get(g, g)),
                        [(item, url_for(item.endpoint, **item.endpoint_args)) for item in groups[g]])
            for g in [*HEAD_GROUPS, *middle, *TAIL_GROUPS] if g in groups]


def slot(name, **context):
    """The parts every plugin on for the user gives slot ``name``, by their ``order`` (ties: registration)."""
    plugins = current_app.extensions["zhixin_plugins"]
    user = current_user._get_current_object() if current_user.is_authenticated else None
    parts = [p if isinstance(p, Slot) else Slot(p) for _plugin, p in plugins.results(
        "zhixin_template_slot", for_user=user, registration_order=True, slot=name, context=context)]
    return Markup("").join(p.html if isinstance(p.html, Markup) else escape(p.html)
                           for p in sorted(parts, key=lambda p: p.order) if p.html)


def default_currency():
    """The organisation's currency for an amount that names none (the request's profile; CNY without one)."""
    org = g.get("org")
    return org.currency if org else "CNY"


def money(value, currency=None):
    if value is None or value == "":
        return ""
    return format_money(decimal.Decimal(value), currency or default_currency(), locale_name() or "zh_CN")


_SAMPLE = decimal.Decimal("1234567.4")


@functools.lru_cache(maxsize=256)
def _money_shape(currency, locale):
    """What Babel writes around and between the digits of an amount in ``currency`` for ``locale``: (prefix,
    suffix, negative prefix, negative suffix, group separator, decimal separator, decimal places), or None
    where the locale does not group by thousands (Babel then formats each amount itself)."""
    places = get_currency_precision(currency)
    shapes = []
    for sample in (_SAMPLE, -_SAMPLE):
        text = babel_format_currency(sample, currency, locale=locale)
        found = re.fullmatch(r"(\D*)1(\D)234(\D)567(?:(\D)(\d+))?(\D*)", text)
        if not found or found.group(2) != found.group(3):
            return None
        shapes.append(found.groups())
    (pre, group, _g, point, _digits, post), (npre, *_rest, npost) = shapes
    return pre, post, npre, npost, group, point or ".", places


def format_money(value, currency, locale):
    """``value`` as Babel's ``format_currency`` writes it (a test holds the two equal), in a fraction of its time:
    a list of 20 rows formats 20 amounts per page."""
    shape = _money_shape(currency, locale)
    if shape is None:
        return babel_format_currency(value, currency, locale=locale)
    pre, post, npre, npost, group, point, places = shape
    rounded = value.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_EVEN)
    digits = f"{abs(rounded):,.{places}f}".replace(",", "\0").replace(".", point).replace("\0", group)
    negative = value.is_signed()  # as Babel decides: by the sign, before rounding (-0.004 shows as -¥0.00)
    return f"{npre if negative else pre}{digits}{npost if negative else post}"


def date_filter(value, fmt="medium"):
    if not value:
        return ""
    if isinstance(value, _dt.datetime):
        value = clock.to_local(value).date()
    return _format_date(value, fmt, locale_name() or "zh_CN")


def format_date_in(value, locale):
    """A date (not a datetime) as ``|date`` writes it for ``locale`` (a list asks it for each row)."""
    return _format_date(value, "medium", locale)


@functools.lru_cache(maxsize=4096)
def _format_date(value, fmt, locale):
    """A date in ``locale``'s words: the same few hundred dates fill every list, and Babel's formatting of one
    costs more than the rest of its table cell."""
    return babel_format_date(value, fmt, locale=locale)


def datetime_filter(value, fmt="medium"):
    if not value:
        return ""
    return format_datetime(value, fmt)  # Flask-Babel converts naive UTC to the organisation's zone


def number(value, fmt=None):
    if value is None:
        return ""
    return format_decimal(value, fmt) if fmt else format_decimal(value)


def fixed_url(endpoint, **values):
    """``url_for(endpoint, **values)`` built once per process for links that never change between requests
    (the layout's stylesheet, scripts, home, search, account …): it depends only on the app's routes and the
    prefix the app is mounted under (``request.script_root``), so it is kept per app and prefix. Never for a
    link that carries request data."""
    cache = current_app.extensions.setdefault("zhixin_fixed_urls", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


def init_app(app):
    app.jinja_env.filters.update(money=money, date=date_filter, datetime=datetime_filter, number=number,
                                 record_name=names.name_of)
    app.jinja_env.globals["position_name"] = position_tree.cached_name  # the header, on every page
    app.jinja_env.globals["private_record"] = names.PRIVATE     # core.names: one label for what a viewer may not read
    app.jinja_env.globals["login_lock_minutes"] = lockout.locked_minutes  # the unlock buttons (admin, instructor)
    app.jinja_env.globals["query_link"] = query_link  # url_for for a link per cell (core.web)
    app.jinja_env.globals["fixed_url"] = fixed_url  # the layout's links that never change

    @app.context_processor
    def _globals():
        user = current_user
        return {
            "org": g.get("org"),
            "menu": (lambda: menu_for(user)) if user and user.is_authenticated else (lambda: []),
            "slot": slot,
            "sidebar": sidebar,
            "current_locale": locale_name() or "zh",
            "clock_shifted": bool(clock.offset()),
            "local_now": clock.local_now,
            "plugin_enabled": current_app.extensions["zhixin_plugins"].is_enabled,
            "request_path": request.path if request else "/",
        }
