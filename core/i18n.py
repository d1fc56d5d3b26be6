"""Translation catalogs: every package (core, each plugin, a theme) keeps its own
``translations/zh/LC_MESSAGES/messages.po`` and the compiled ``.mo`` beside it. English is the source
language. Flask-Babel merges the catalogs of core, the theme and the enabled plugins.

    python -m core.i18n update core            # extract strings, merge into zh .po (new ones empty)
    python -m core.i18n compile core           # .po -> .mo (deterministic; commit both)
    python -m core.i18n check core plugins/x   # list untranslated or fuzzy strings; exit 1 if any
    python -m core.i18n all                    # update + compile every package in the repository
"""
import io
import os
import sys

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALES = ("zh",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "lazy_ngettext": (1, 2)}
METHOD_MAP = [("**/tests/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols",
                                    "trimmed": "true"}}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def packages():
    """Every package in the repository that has (or should have) a catalog."""
    from core.app import CORE_COMPONENTS
    out = ["core"] + [f"core/{c}" for c in CORE_COMPONENTS]
    plugins = os.path.join(ROOT, "plugins")
    out += sorted(os.path.join("plugins", d) for d in os.listdir(plugins)
                  if os.path.isfile(os.path.join(plugins, d, "__init__.py")))
    themes = os.path.join(ROOT, "themes")
    out += sorted(os.path.join("themes", d) for d in os.listdir(themes) if os.path.isdir(os.path.join(themes, d))
                  and not d.startswith("__"))
    return out


def extract(package_dir):
    catalog = Catalog(project="zhixin-crm", charset="utf-8")
    base = os.path.join(ROOT, package_dir) if not os.path.isabs(package_dir) else package_dir
    for filename, lineno, message, comments, context in extract_from_dir(
            base, METHOD_MAP, OPTIONS, keywords=KEYWORDS, strip_comment_tags=True):
        # a sub-folder with its own translations/ keeps its own catalog
        parts = filename.split(os.sep)
        if any(os.path.isdir(os.path.join(base, *parts[:i], "translations")) for i in range(1, len(parts))):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog, base


def po_path(base, locale):
    return os.path.join(base, "translations", locale, "LC_MESSAGES", "messages.po")


def update(package_dir):
    template, base = extract(package_dir)
    for locale in LOCALES:
        path = po_path(base, locale)
        if os.path.exists(path):
            with open(path, "rb") as fh:
                catalog = read_po(fh, locale=locale)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            catalog = Catalog(locale=locale, project="zhixin-crm", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with open(path, "wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return base


def compiled_bytes(po_file):
    with open(po_file, "rb") as fh:
        catalog = read_po(fh)
    # keep the dates written in the .po: Babel would stamp the current time instead, and the committed .mo
    # must be reproducible from its .po (a test recompiles and compares)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_package(package_dir):
    base = os.path.join(ROOT, package_dir) if not os.path.isabs(package_dir) else package_dir
    for locale in LOCALES:
        path = po_path(base, locale)
        if os.path.exists(path):
            with open(path[:-3] + ".mo", "wb") as fh:
                fh.write(compiled_bytes(path))


def untranslated(package_dir):
    """(locale, msgid) of every extracted string without a (non-fuzzy) translation, contexts included."""
    base = os.path.join(ROOT, package_dir) if not os.path.isabs(package_dir) else package_dir
    template, _ = extract(package_dir)
    wanted = {(m.id, m.context) for m in template if m.id}
    missing = []
    for locale in LOCALES:
        path = po_path(base, locale)
        catalog = None
        if os.path.exists(path):
            with open(path, "rb") as fh:
                catalog = read_po(fh, locale=locale)
        for msg_id, context in wanted:
            msg = catalog.get(msg_id, context=context) if catalog is not None else None
            text = msg.string if msg else None
            done = all(text) if isinstance(text, (list, tuple)) else bool(text)
            if msg is None or not done or msg.fuzzy:
                missing.append((locale, msg_id if isinstance(msg_id, str) else msg_id[0]))
    return missing


def main(argv):
    if not argv or argv[0] not in ("update", "compile", "check", "all"):
        print(__doc__)
        return 2
    command, targets = argv[0], argv[1:] or packages()
    if command == "all":
        for target in targets:
            update(target)
            compile_package(target)
        return 0
    status = 0
    for target in targets:
        if command == "update":
            update(target)
        elif command == "compile":
            compile_package(target)
        else:
            for locale, msg in untranslated(target):
                print(f"{target} [{locale}] untranslated: {msg!r}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
