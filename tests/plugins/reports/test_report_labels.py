"""Every report (the standard ones and those other plugins contribute) reads as words in both languages on
the demo data: no stored choice code (``trade_show``, ``hot``) and, in Chinese, no English source string of
the catalogs left untranslated (a stage name, a campaign status)."""
import glob
import os

import pytest
from babel.messages.pofile import read_po

from core.i18n import ROOT
from core.models import User
from core.records.forms import CHOICE_LABELS
from plugins.campaigns import labels as campaign_labels
from plugins.reports import service
from plugins.service.models import CATEGORIES, CHANNELS
from tests.plugins.reports.html import report_table

CODE_TABLES = list(CHOICE_LABELS.values()) + [
    campaign_labels.CAMPAIGN_TYPES, campaign_labels.CAMPAIGN_STATUSES, campaign_labels.RESPONSE_STATUSES,
    campaign_labels.TASK_STATUSES, CHANNELS, CATEGORIES]


def choice_codes():
    """Stored codes whose label differs from the code itself ("email" shows as "E-mail")."""
    return {code for table in CODE_TABLES for code, label in table.items() if str(label) != code}


def translated_sources():
    """The English source strings that every catalog translates into something else."""
    out = set()
    for path in glob.glob(os.path.join(ROOT, "**", "translations", "zh", "LC_MESSAGES", "messages.po"),
                          recursive=True):
        with open(path, "rb") as f:
            for message in read_po(f):
                if message.id and isinstance(message.id, str) and message.string and message.string != message.id:
                    out.add(message.id)
    return out


def report_texts(html):
    """Every cell of the report's table: its headers, rows and totals."""
    headers, rows, totals = report_table(html)
    return set(headers + [c for r in rows for c in r] + (totals or []))


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield demo_app


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_report_names_choices_and_stages_in_the_readers_language(demo, login, language):
    teacher = User.get(User.username == "teacher")      # above every class: sees the whole school's figures
    User.update(language=language).where(User.id == teacher.id).execute()
    client = login(demo.test_client(), teacher)
    codes, english = choice_codes(), translated_sources() if language == "zh" else set()
    found = {}
    with demo.test_request_context():
        report_ids = sorted(service.definitions())
    for report_id in report_ids:
        response = client.get(f"/reports/run/{report_id}")
        assert response.status_code == 200, report_id
        html = response.get_data(as_text=True)
        if "data-report-table" not in html:
            continue
        wrong = {t for t in report_texts(html) if t in codes or t in english}
        if wrong:
            found[report_id] = sorted(wrong)
    assert found == {}
    assert len(report_ids) > 30      # the standard reports and those of forecast, campaigns and service
