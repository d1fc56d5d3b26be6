"""The application factory."""
import logging
import os

from flask import Flask, abort, current_app, g, has_request_context, redirect, request, session, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader
from peewee import OperationalError, ProgrammingError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from core import auth, builtin, clock, config as config_module, db as db_module, errors, sessions, stamp
from core import templating, views
from core.admin import bp as admin_bp, views as _admin_views  # noqa: F401 (routes)
from core.babel import Babel, lazy_gettext as _l
from core.classroom import bp as classroom_bp, plugin as classroom_hooks  # noqa: F401
from core.classroom import clock_views, log_views, roster_views, sandbox_views  # noqa: F401  (their routes)
from core.classroom import views as _classroom_views  # noqa: F401  (its routes)
from core.hierarchy import bp as hierarchy_bp, plugin as hierarchy_hooks
from core.hierarchy import catalogue as _catalogue, explain as _explain, sharing as _sharing  # noqa: F401 (routes)
from core.hierarchy import views as _position_views  # noqa: F401 (routes)
from core.mail import bp as mail_bp, plugin as mail_hooks, views as _mail_views  # noqa: F401 (routes)
from core.models import Organisation, PluginState
from core.plugins import Plugins, call_impl, discover, enabled_names, plugin_of_endpoint
from core.records.views import bp as records_bp
from core.records.search_views import bp as search_bp
from core.themes import find_theme, theme_dirs, theme_roots

log = logging.getLogger(__name__)
CORE_DIR = os.path.dirname(os.path.abspath(__file__))
# Parts of core that keep their own templates and catalog (each is looked up like core itself).
CORE_COMPONENTS = ("records", "hierarchy", "classroom", "mail")

MAX_ID = 2 ** 31 - 1
csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(config=None, extra_plugins=()):
    """Build the app. ``config`` overrides settings (tests pass ``DATABASE_URL`` and ``PLUGINS``);
    ``extra_plugins`` are plugin modules registered in-process (tests and scaffolds)."""
    instance = (config or {}).get("INSTANCE_PATH") or os.environ.get("ZHIXIN_INSTANCE_PATH") or None
    app = Flask("core", instance_path=os.path.abspath(instance) if instance else None,
                instance_relative_config=True, static_folder=None, template_folder="templates")
    app.session_interface = sessions.CookieSessions()
    config_module.load(app, config)
    db_module.init(app.config["DATABASE_URL"])
    _trust_proxies(app)

    _load_plugins(app, extra_plugins)
    _init_extensions(app)
    _init_templates(app)
    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)
    _init_request_hooks(app)
    errors.init_app(app)
    templating.init_app(app)
    _run_startup_hooks(app)
    return app


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number beyond the largest id (a 32-bit INTEGER on PostgreSQL and MariaDB)
    is no page, a 404, never an overflow error from the driver or the database."""

    def __init__(self, map, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, **kwargs)


def _trust_proxies(app):
    """Behind ``PROXY_COUNT`` reverse proxies the client address and scheme come from their X-Forwarded-For
    and -Proto headers; with 0 (the default) those headers are ignored, since any client can send them."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _stored_plugin_states():
    try:
        with db_module.db.connection_context():
            return {row.name: row.enabled for row in PluginState.select()}
    except (OperationalError, ProgrammingError):  # no tables yet: before `zhixin init`
        return {}
    except Exception as exc:  # e.g. the database server is down: start, say so on every page
        log.warning("cannot read plugin states: %s", exc)
        return {}


def _load_plugins(app, extra_plugins):
    available = discover(extra_plugins)
    names, unknown = enabled_names(app.config, available, _stored_plugin_states())
    plugins = Plugins(available, names, core_plugins=[builtin, hierarchy_hooks, classroom_hooks, mail_hooks])
    plugins.errors.update(unknown)
    for message in plugins.errors.values():
        log.error("%s", message)
    app.extensions["zhixin_plugins"] = plugins
    types, owners = {}, {}
    for plugin, rt in plugins.results("zhixin_record_types"):
        if rt.name in types:
            raise db_module.ConfigError(f"record type {rt.name!r} is registered twice")
        types[rt.name] = rt
        owners[rt.name] = plugin
    app.extensions["zhixin_record_types"] = types
    app.extensions["zhixin_record_types_by_model"] = {rt.model: rt for rt in types.values()}
    app.extensions["zhixin_record_type_plugins"] = owners


def plugins_of(app=None):
    return (app or current_app).extensions["zhixin_plugins"]


def _translation_dirs(app):
    dirs = [os.path.join(d, "translations") for d in theme_dirs(app)]
    dirs.append(os.path.join(CORE_DIR, "translations"))
    dirs += [os.path.join(CORE_DIR, c, "translations") for c in CORE_COMPONENTS]
    plugins = plugins_of(app)
    for name in plugins.order:
        dirs.append(os.path.join(plugins.available[name].path, "translations"))
    return [d for d in dirs if os.path.isdir(d)]


def select_locale():
    """User preference, then the session's choice, then the browser, then the organisation default.
    Outside a request (scheduler jobs) only the organisation default applies."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return _org().default_language or "zh"
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("language") in languages:
        return session["language"]
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"]) if request else None
    if best:
        return "zh" if best.startswith("zh") else "en"
    return _org().default_language or "zh"


def select_timezone():
    return _org().timezone or "UTC"


def _org():
    try:
        return Organisation.get_profile()
    except Exception:
        return Organisation()


def _init_extensions(app):
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(_translation_dirs(app))
    # One Babel per app: Flask-Babel caches loaded catalogs on the Babel object's domain, so a shared one
    # would hand an app the catalogs of whichever app (with other plugins enabled) loaded them first.
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


login_manager.user_loader(sessions.user_of_session)  # a session that has ended (core.sessions) is anonymous


def _init_templates(app):
    """Lookup order: active theme, default theme, the plugins (in load order), core."""
    theme = app.config["THEME"]
    if not find_theme(app, theme):
        raise db_module.ConfigError(f"ZHIXIN_THEME: no theme folder named {theme!r} in "
                                    + ", ".join(theme_roots(app)))
    loaders = [FileSystemLoader(os.path.join(d, "templates")) for d in theme_dirs(app)]
    plugins = plugins_of(app)
    for name in plugins.order:
        path = os.path.join(plugins.available[name].path, "templates")
        if os.path.isdir(path):
            loaders.append(FileSystemLoader(path))
    loaders.append(FileSystemLoader(os.path.join(CORE_DIR, "templates")))
    loaders += [FileSystemLoader(os.path.join(CORE_DIR, c, "templates")) for c in CORE_COMPONENTS]
    app.jinja_loader = ChoiceLoader(loaders)
    app.jinja_env.loader = app.jinja_loader


def _register_blueprints(app):
    for bp in (auth.bp, views.bp, admin_bp, records_bp, search_bp, hierarchy_bp, classroom_bp, mail_bp):
        app.register_blueprint(bp)
    app.add_url_rule("/static/<path:filename>", "theme_static", views.theme_static)
    plugins = plugins_of(app)
    owners = {}
    for plugin, bp in plugins.results("zhixin_blueprints", registration_order=True, app=app):
        app.register_blueprint(bp)
        owners[bp.name] = plugin
    app.extensions["zhixin_blueprint_plugins"] = owners
    for view in app.view_functions.values():
        if getattr(view, "zhixin_public_form", False):  # core.publicforms.without_session_csrf
            csrf.exempt(view)


# Per-request caches that Flask-Babel, Flask-Login and core keep on ``g``. ``g`` belongs to the app context,
# and a request reuses an app context that is already pushed (tests, CLI), so without this reset one
# request's locale, user or organisation would leak into the next one.
REQUEST_CACHES = ("_flask_babel", "_login_user", "org_profile", "org", "class_modules")


def _reset_request_caches():
    for name in REQUEST_CACHES:
        g.pop(name, None)


def _init_request_hooks(app):
    app.before_request_funcs.setdefault(None, []).insert(0, _reset_request_caches)

    @app.before_request
    def _open_db():
        db_module.db.connect(reuse_if_open=True)
        stamp.begin_request(db_module.db)
        g.org = _org()
        clock.set_offset(g.org.clock_offset())

    @app.before_request
    def _force_credentials_change():
        if not current_user.is_authenticated:
            return None
        if current_user.must_change_password or current_user.must_change_username:
            allowed = {"auth.change_credentials", "auth.logout", "theme_static", "auth.set_language"}
            if request.endpoint not in allowed:
                return redirect(url_for("auth.change_credentials"))
        return None

    @app.before_request
    def _plugin_off_answers_404():
        """A plugin that is off for the user (globally, or by modules per class) answers 404 on all its
        pages: its blueprints' and the generic record pages of its record types (``/records/<type>/…``)."""
        owner = plugin_of_endpoint(app, request.endpoint, request.view_args)
        user = current_user._get_current_object() if current_user.is_authenticated else None
        if owner and not plugins_of(app).is_on(owner, user):
            abort(404)

    app.after_request(_security_headers)

    @app.teardown_request
    def _close_db(exc):
        if not db_module.db.is_closed():
            db_module.db.close()


# Every page's script comes from a static file of this site (core/static/core.js, the theme's and plugins'
# static folders); inline <script> and on*= handlers are refused, so injected markup cannot run. Inline
# styles stay allowed: pygal's SVG charts carry their own <style>.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _security_headers(response):
    """The browser security headers on every response (a view that set its own keeps it). A response marked
    embeddable (``core.publicforms.embeddable``: a public form meant for other sites' pages) may be framed by
    the ancestors it names, and only it."""
    ancestors = getattr(response, "frame_ancestors", None)
    for name, value in SECURITY_HEADERS.items():
        if ancestors and name == "X-Frame-Options":
            continue
        if ancestors and name == "Content-Security-Policy":
            value = value.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
        response.headers.setdefault(name, value)
    return response


def _run_startup_hooks(app):
    plugins = plugins_of(app)
    for name, impl in list(plugins.implementations("zhixin_startup", registration_order=True)):
        try:
            call_impl(impl, app=app)
        except Exception as exc:
            if name.startswith("core:"):
                raise
            plugins.disable(name, f"plugin {name!r} refused to start: {exc}")
            log.error("plugin %s refused to start: %s", name, exc)
