"""One English text, one Chinese text: Flask-Babel merges every package's catalog into one, so a msgid
translated differently in two packages would show whichever catalog loaded last on *every* page. Where the
meaning really differs, the code gives the text a context (``pgettext``) or its own wording."""
import os

from babel.messages.pofile import read_po

from core import i18n


def test_no_text_is_translated_two_ways():
    seen = {}
    for package in i18n.packages():
        path = i18n.po_path(os.path.join(i18n.ROOT, package), "zh")
        if not os.path.exists(path):
            continue
        with open(path, "rb") as fh:
            for message in read_po(fh, locale="zh"):
                if message.id and message.string:
                    key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
                    text = message.string if isinstance(message.string, str) else message.string[0]
                    seen.setdefault(key, {}).setdefault(text, []).append(package)
    clashes = {key: texts for key, texts in seen.items() if len(texts) > 1}
    assert not clashes, "\n".join(f"{key[1]!r}: {texts}" for key, texts in sorted(clashes.items()))


def test_every_core_component_has_a_complete_catalog():
    from core.app import CORE_COMPONENTS
    for component in CORE_COMPONENTS:
        assert f"core/{component}" in i18n.packages()
        assert i18n.untranslated(f"core/{component}") == []
