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

log = logging.getLogger(__name__)
GROUP = "zhixin.plugins"
BUNDLED_DISTRIBUTION = "zhixin-crm"


@dataclass
class PluginInfo:
    name: str
    module: str
    version: str = ""
    description: str = ""
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
    info.description = str(getattr(mod, "DESCRIPTION", ""))
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

    def gather(self, hook_name, **kwargs):
        """Flatten the lists that every implementation of ``hook_name`` returned.

        When the hook is asked on behalf of a ``user``, plugins that ``user_filter`` says are off for that
        user (e.g. a module enabled for other classes only) are left out, as if disabled."""
        out = []
        user = kwargs.get("user")
        impls = getattr(self.pm.hook, hook_name).get_hookimpls()
        for impl in reversed(impls):  # pluggy's own call order (LIFO)
            if user is not None and not impl.plugin_name.startswith("core:") \
                    and not self.user_filter(user, impl.plugin_name):
                continue
            result = call_impl(impl, **kwargs)
            if result:
                out.extend(result if isinstance(result, (list, tuple)) else [result])
        return out

    def calling_plugin(self):
        """The enabled plugin whose code is on the call stack (nearest first), or None."""
        import sys
        frame = sys._getframe(1)
        while frame is not None:
            name = self.plugin_of_module(frame.f_globals.get("__name__", ""))
            if name:
                return name
            frame = frame.f_back
        return None

    @staticmethod
    def user_filter(user, plugin_name):
        """Is ``plugin_name`` on for ``user``? Everyone, unless core's classroom tools narrow it."""
        return True

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

    def plugin_of_module(self, module_name):
        """The enabled plugin a Python module belongs to, or None."""
        for name in self.order:
            base = self.available[name].module
            if module_name == base or module_name.startswith(base + "."):
                return name
        return None


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
