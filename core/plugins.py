"""Plugin discovery, enabled set, dependency order and loading (pluggy).

A plugin is a module named by an entry point in group ``zhixin.plugins``. That module holds only
metadata constants (``NAME``, ``VERSION``, ``DESCRIPTION``, ``REQUIRES``), so it can be read without side
effects; its hook implementations live in ``<module>.plugin`` (or the module named by ``HOOKS``) and are
imported only when the plugin is enabled.
"""
import importlib
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import pluggy

from core import hookspecs
from core.classroom import modules

log = logging.getLogger(__name__)
GROUP = "zhixin.plugins"
BUNDLED_DISTRIBUTION = "zhixin-crm"
# Hooks whose answers only decorate a page: a plugin that fails in one is logged and left out.
UI_HOOKS = frozenset({"zhixin_menu_items", "zhixin_dashboard_widgets", "zhixin_template_slot",
                      "zhixin_record_fields", "zhixin_calendar_items", "zhixin_reports", "zhixin_exercises",
                      "zhixin_timeline_items"})


@dataclass
class PluginInfo:
    name: str
    module: str
    version: str = ""
    title: object = ""        # what people see (TITLE, may be lazy_gettext); the name when a plugin has none
    description: object = ""  # DESCRIPTION, may be lazy_gettext
    requires: tuple = ()
    source: str = ""
    bundled: bool = False
    enabled: bool = False
    error: str = ""
    path: str = ""
    hooks_module: object = None
    meta: object = field(default=None, repr=False)


class PluginError(Exception):
    pass


def discover(extra_modules=()):
    """All installed plugins by name (metadata only), plus modules given in-process (tests)."""
    found = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        dist = ep.dist.name if ep.dist else ""
        info = PluginInfo(name=ep.name, module=ep.value, source=f"{dist} {ep.dist.version if ep.dist else ''}".strip(),
                          bundled=dist == BUNDLED_DISTRIBUTION)
        try:
            _read_meta(info, importlib.import_module(ep.value))
        except Exception as exc:  # a broken plugin must not stop the others
            info.error = f"cannot import {ep.value}: {exc}"
        found[info.name] = info
    for module in extra_modules:
        mod = importlib.import_module(module) if isinstance(module, str) else module
        info = PluginInfo(name=getattr(mod, "NAME", mod.__name__), module=mod.__name__, source="in-process")
        _read_meta(info, mod)
        found[info.name] = info
    return found


def _read_meta(info, mod):
    info.meta = mod
    info.name = getattr(mod, "NAME", info.name)
    info.version = str(getattr(mod, "VERSION", ""))
    info.title = getattr(mod, "TITLE", "") or info.name
    info.description = getattr(mod, "DESCRIPTION", "")
    info.requires = tuple(getattr(mod, "REQUIRES", ()))
    info.path = (getattr(mod, "__path__", None) or [""])[0] or ""
    if not info.path and getattr(mod, "__file__", None):
        import os
        info.path = os.path.dirname(mod.__file__)


def resolve_order(names, available):
    """``names`` plus everything they require, in a deterministic topological order (ties by name).

    Returns ``(ordered, errors)``; a plugin whose requirement is missing (or cyclic) is left out and
    named in ``errors``.
    """
    errors = {}
    wanted = set()

    def want(name, chain):
        if name in wanted or name in errors:
            return name not in errors
        if name not in available or available[name].error:
            errors[name] = available[name].error if name in available else f"plugin {name!r} is not installed"
            return False
        if name in chain:
            errors[name] = "circular requirement: " + " -> ".join(chain + (name,))
            return False
        ok = True
        for req in available[name].requires:
            if not want(req, chain + (name,)):
                errors.setdefault(name, f"plugin {name!r} requires {req!r}, which is unavailable")
                ok = False
        if ok:
            wanted.add(name)
        return ok

    for name in sorted(set(names)):
        want(name, ())
    ordered, done = [], set()
    while len(ordered) < len(wanted):
        ready = sorted(n for n in wanted - done if set(available[n].requires) <= done)
        if not ready:  # unreachable: cycles were refused above
            break
        ordered.append(ready[0])
        done.add(ready[0])
    return ordered, errors


class Plugins:
    """The app's plugin manager: ``app.extensions['zhixin_plugins']``. ``hook`` is pluggy's hook relay."""

    def __init__(self, available, enabled_names, core_plugins=()):
        self.pm = pluggy.PluginManager("zhixin")
        self.pm.add_hookspecs(hookspecs)
        self.available = available
        self.errors = {}
        for mod in core_plugins:
            self.pm.register(mod, name="core:" + mod.__name__)
        ordered, errors = resolve_order(enabled_names, available)
        self.errors.update(errors)
        self.order = []
        for name in ordered:
            info = available[name]
            try:
                hooks_name = getattr(info.meta, "HOOKS", info.module + ".plugin")
                hooks = importlib.import_module(hooks_name)
                self.pm.register(hooks, name=name)
                try:
                    self.pm.check_pending()  # an impl of a hook that does not exist: a typo in its name
                except pluggy.PluginValidationError:
                    self.pm.unregister(hooks, name=name)
                    raise
                info.hooks_module = hooks
                info.enabled = True
                self.order.append(name)
            except Exception as exc:
                self.errors[name] = f"plugin {name!r} failed to load: {exc}"
                log.exception("plugin %s failed to load", name)
        for name, message in self.errors.items():
            if name in available:
                available[name].error = message
        self.pm.check_pending()

    @property
    def hook(self):
        return self.pm.hook

    def is_enabled(self, name):
        return name in self.order

    def is_on(self, name, user=None):
        """Is plugin ``name`` on for ``user``? The one answer to "is this module on for this user?".

        Core's own hook modules (``core:…``) are always on. A plugin is on when it is enabled (the global
        switch) and, when asked for a user, when the classroom's modules per class
        (``core.classroom.modules``) do not limit it to classes the user is neither in nor above. Without a
        user only the global switch counts (jobs, migrations, start-up)."""
        if name.startswith("core:"):
            return True
        if not self.is_enabled(name):
            return False
        return user is None or modules.allowed(user, name)

    def implementations(self, hook_name, *, for_user=None, registration_order=False):
        """``(plugin name, hookimpl)`` of ``hook_name`` for the plugins on (for ``for_user``, if given): the one
        walk over pluggy's implementations. Pluggy's call order (last registered first) unless
        ``registration_order`` (core, then plugins in dependency order: demo data, defaults, start-up)."""
        impls = getattr(self.pm.hook, hook_name).get_hookimpls()
        for impl in (impls if registration_order else reversed(impls)):
            if self.is_on(impl.plugin_name, for_user):
                yield impl.plugin_name, impl

    def results(self, hook_name, *, for_user=None, per_user=True, isolate=None, registration_order=False,
                **kwargs):
        """``[(plugin name, item)]`` for every item that every implementation of ``hook_name`` returned (a
        list is flattened, None and empty answers are dropped), called with the keyword arguments it takes.

        ``for_user`` (default: the ``user`` argument, if the hook takes one) leaves out plugins that are off
        for that user, as if disabled; ``per_user=False`` asks every enabled plugin whatever the user's class
        (record events, access filters and vetoes: a plugin's bookkeeping and narrowing follow every write and
        read). With ``isolate`` (default: for the UI hooks in ``UI_HOOKS``) a plugin whose implementation
        raises is logged and skipped, so one broken plugin cannot take a page down; core's own
        implementations always raise."""
        user = (kwargs.get("user") if for_user is None else for_user) if per_user else None
        if isolate is None:
            isolate = hook_name in UI_HOOKS
        out = []
        for name, impl in self.implementations(hook_name, for_user=user, registration_order=registration_order):
            try:
                result = call_impl(impl, **kwargs)
            except Exception:
                if not isolate or name.startswith("core:"):
                    raise
                log.exception("plugin %s failed in %s; left out", name, hook_name)
                continue
            if result is None:
                continue
            for item in (result if isinstance(result, (list, tuple)) else [result]):
                if item is not None and not (isinstance(item, str) and not item):
                    out.append((name, item))
        return out

    def gather(self, hook_name, **kwargs):
        """The items of :meth:`results` without the names of the plugins that gave them."""
        return [item for _, item in self.results(hook_name, **kwargs)]

    def disable(self, name, message):
        """Take a plugin out after a failed start-up check; the rest keeps running."""
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        if name in self.order:
            self.order.remove(name)
        self.errors[name] = message
        if name in self.available:
            self.available[name].enabled = False
            self.available[name].error = message


def plugin_of_endpoint(app, endpoint, view_args=None):
    """The plugin a page belongs to: its blueprint's, or for the generic record pages (``records.*`` with a
    ``type_name``) the plugin that registered that record type. None for core's pages."""
    blueprint = endpoint.rpartition(".")[0] if endpoint else ""
    type_name = (view_args or {}).get("type_name") if blueprint == "records" else None
    if type_name is not None:
        return app.extensions["zhixin_record_type_plugins"].get(type_name)
    return app.extensions["zhixin_blueprint_plugins"].get(blueprint)


def plugin_of_path(app, path):
    """The plugin a path of this site belongs to (see :func:`plugin_of_endpoint`), or None."""
    try:
        endpoint, view_args = app.url_map.bind("localhost").match(path.split("?", 1)[0].split("#", 1)[0])
    except Exception:  # not found, redirect, wrong method: no plugin's page
        return None
    return plugin_of_endpoint(app, endpoint, view_args)


def enabled_names(config, available, stored_states):
    """Which plugins to enable: safe mode → none; ``ZHIXIN_PLUGINS`` → exactly those; otherwise the admin's
    stored choice, defaulting to on for bundled plugins and off for other installed ones."""
    if config.get("SAFE_MODE"):
        return [], {}
    if config.get("PLUGINS") is not None:
        names = list(config["PLUGINS"])
        unknown = {n: f"ZHIXIN_PLUGINS names {n!r}, which is not installed" for n in names if n not in available}
        return [n for n in names if n in available], unknown
    names = []
    for name, info in available.items():
        default = info.bundled or info.source == "in-process"
        if stored_states.get(name, default):
            names.append(name)
    return names, {}


def call_impl(impl, **kwargs):
    """Call one hook implementation with just the arguments it takes (as pluggy does)."""
    return impl.function(*[kwargs[name] for name in impl.argnames])
