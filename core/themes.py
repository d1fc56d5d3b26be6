"""Where themes live: ``THEMES_PATH`` and the bundled ``themes/`` folder; the active theme falls back to the
default one (a theme may override only some templates and static files)."""
import os

THEMES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "themes")


def theme_roots(app):
    """Folders that hold themes: ``THEMES_PATH`` (os.pathsep-separated) first, then the bundled ``themes/``."""
    extra = app.config.get("THEMES_PATH") or ""
    if isinstance(extra, str):
        extra = [p for p in extra.split(os.pathsep) if p]
    return [os.path.abspath(p) for p in extra] + [THEMES_DIR]


def find_theme(app, name):
    for root in theme_roots(app):
        if os.path.isdir(os.path.join(root, name)):
            return os.path.join(root, name)
    return None


def theme_dirs(app):
    """The active theme's folder, then the default theme's (a theme may override only some templates)."""
    names = [app.config["THEME"]] + (["default"] if app.config["THEME"] != "default" else [])
    found = [find_theme(app, n) for n in names]
    return [d for d in found if d]
