"""The side menu as rendered: one foldable section per module (core's records first, then each plugin on,
then teaching and administration), every entry named apart in English and in Chinese."""
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import BUNDLED


class Menu(HTMLParser):
    """[(section id, title, [(entry id, label)])] of the page's sidebar."""

    def __init__(self):
        super().__init__()
        self.sections, self.inside, self.field = [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("id") == "sidebar":
            self.inside = 1
        elif self.inside and tag == "nav":
            self.inside += 1
        if not self.inside:
            return
        if "data-group" in attrs:
            self.sections.append([attrs["data-group"], "", [], tag])
        elif tag == "summary":
            self.field = "title"
        elif tag == "a" and "data-menu" in attrs:
            self.sections[-1][2].append([attrs["data-menu"], ""])
            self.field = "entry"

    def handle_endtag(self, tag):
        if self.inside and tag == "nav":
            self.inside -= 1
        if tag in ("summary", "a"):
            self.field = None

    def handle_data(self, data):
        if self.field == "title":
            self.sections[-1][1] += data.strip()
        elif self.field == "entry":
            self.sections[-1][2][-1][1] += data.strip()


def menu(client, language):
    parser = Menu()
    parser.feed(client.get("/", headers={"Accept-Language": language}).get_data(as_text=True))
    return parser.sections


@pytest.fixture
def teacher_client(app, make_school, login):
    """The teacher with every bundled plugin on (the default app), the page's language from the browser."""
    return app, login(app.test_client(), make_school(language="")["teacher"])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_menu_has_one_foldable_section_per_module_in_order(teacher_client, language):
    app, client = teacher_client
    sections = menu(client, language)
    ids = [s[0] for s in sections]
    plugins = app.extensions["zhixin_plugins"]
    with_entries = [name for name in plugins.order if name in ids]
    assert ids[:2] == ["main", "records"]
    assert set(ids[2:2 + len(with_entries)]) == set(with_entries) == set(BUNDLED)
    for section_id, title, entries, tag in sections[1:]:
        assert tag == "details" and title and entries, section_id
    titles = [s[1] for s in sections[1:]]
    assert len(set(titles)) == len(titles)
    if language == "zh":
        assert all(re.search(r"[\u4e00-\u9fff]", t) for t in titles), titles


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_menu_entry_is_named_apart_and_both_kinds_of_tasks_differ(teacher_client, language):
    _app, client = teacher_client
    labels = {entry: label for _id, _t, entries, _tag in menu(client, language) for entry, label in entries}
    assert len(set(labels.values())) == len(labels), labels
    assert labels["campaign_tasks"] != labels["calendar-tasks"]
    expected = {"en": ("Campaign tasks", "Calendar tasks"), "zh": ("市场活动任务", "日程任务")}[language]
    assert (labels["campaign_tasks"], labels["calendar-tasks"]) == expected
