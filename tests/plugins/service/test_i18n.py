"""Both languages are complete: every string of the plugin has a Chinese translation, the committed .mo is
the compiled .po, and the pages speak the CRM's Chinese terms."""
import gettext
import io
import os

from core import i18n

PACKAGE = "plugins/service"


def test_every_string_is_translated():
    assert i18n.untranslated(PACKAGE) == []


def _messages(mo_bytes):
    catalog = gettext.GNUTranslations(io.BytesIO(mo_bytes))._catalog
    return {k: v for k, v in catalog.items() if k}        # (the header carries a compile time)


def test_committed_mo_matches_the_po():
    po = os.path.join(i18n.ROOT, PACKAGE, "translations", "zh", "LC_MESSAGES", "messages.po")
    with open(po[:-3] + ".mo", "rb") as fh:
        assert _messages(fh.read()) == _messages(i18n.compiled_bytes(po))


def test_pages_speak_chinese(app, client, login, team, make_item):
    make_item("complaint", team["owner"], category="billing")
    team["owner"].language = "zh"
    team["owner"].save()
    login(client, team["owner"])
    html = client.get("/service/complaint/?tab=all").get_data(as_text=True)
    assert "客户投诉" in html and "反馈留言" in html and "账单" in html
    assert "客户服务报表" in client.get("/service/report").get_data(as_text=True)
    public = app.test_client()
    public.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "为证明您不是机器人" in public.get("/service/public").get_data(as_text=True)
