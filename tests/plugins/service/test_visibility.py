"""Who sees and changes service items, through HTTP, from every side and in every sharing mode of the one
"service" family (feedback, complaints and cases share it)."""
import pytest
from flask import g

from core.models import SharingMode
from plugins.service.models import ITEM_MODELS

KINDS = ("feedback", "complaint", "case")


def set_mode(mode):
    SharingMode.delete().where(SharingMode.family == "service").execute()
    if mode != "private":
        SharingMode.create(family="service", mode=mode)
    g.pop("sharing_modes", None)   # the test shares one app context; a real request reads the modes afresh


def verdicts(app, login, user, kind, item_id):
    """(read, listed, write, delete) as the user gets them over HTTP. Write and delete are probed without
    changing anything the next probe depends on (an invalid status is 400 only once access is granted)."""
    client = login(app.test_client(), user)
    read = client.get(f"/service/{kind}/{item_id}").status_code
    listing = client.get(f"/service/{kind}/?tab=all").get_data(as_text=True)
    listed = f'data-item="{kind}-{item_id}"' in listing
    write = client.post(f"/service/{kind}/{item_id}/status", data={"status": "bogus"}).status_code
    edit = client.get(f"/service/{kind}/{item_id}/edit").status_code
    return read, listed, write, edit


def delete_code(app, login, user, kind, item_id):
    return login(app.test_client(), user).post(f"/service/{kind}/{item_id}/delete").status_code


@pytest.mark.parametrize("kind", KINDS)
def test_private_items_are_seen_by_owner_superiors_and_admin_only(app, login, team, make_item, kind):
    item = make_item(kind, team["owner"])
    for who in ("owner", "boss", "lead", "admin"):
        assert verdicts(app, login, team[who], kind, item.id) == (200, True, 400, 200), who
    for who in ("peer", "outsider"):
        assert verdicts(app, login, team[who], kind, item.id) == (404, False, 404, 404), who
    assert delete_code(app, login, team["peer"], kind, item.id) == 404


def test_a_subordinate_does_not_see_the_superiors_items(app, login, team, make_item):
    item = make_item("complaint", team["boss"])
    assert verdicts(app, login, team["owner"], "complaint", item.id) == (404, False, 404, 404)
    assert verdicts(app, login, team["lead"], "complaint", item.id) == (200, True, 400, 200)


@pytest.mark.parametrize("mode, peer", [
    ("read", (200, True, 403, 403)),
    ("readwrite", (200, True, 400, 200)),
    ("readwritedelete", (200, True, 400, 200)),
])
def test_sharing_modes_open_items_to_peers_and_outsiders(app, login, team, make_item, mode, peer):
    set_mode(mode)
    items = {kind: make_item(kind, team["owner"]) for kind in KINDS}
    for kind, item in items.items():
        assert verdicts(app, login, team["peer"], kind, item.id) == peer
        assert verdicts(app, login, team["outsider"], kind, item.id) == peer
    expected_delete = 302 if mode == "readwritedelete" else 403
    assert delete_code(app, login, team["outsider"], "feedback", items["feedback"].id) == expected_delete


def test_owner_and_superior_may_delete_in_private_mode(app, login, team, make_item):
    mine = make_item("feedback", team["owner"])
    theirs = make_item("feedback", team["owner"])
    assert delete_code(app, login, team["owner"], "feedback", mine.id) == 302
    assert delete_code(app, login, team["boss"], "feedback", theirs.id) == 302
    assert ITEM_MODELS["feedback"].select().count() == 0


def test_tabs_split_my_open_and_all(app, client, login, team, make_item):
    mine = make_item("feedback", team["owner"], subject="mine")
    done = make_item("feedback", team["owner"], subject="done", status="resolved")
    staff = make_item("feedback", team["peer"], subject="peer's")
    login(client, team["boss"])
    html = {t: client.get(f"/service/feedback/?tab={t}").get_data(as_text=True) for t in ("my", "open", "all")}
    assert "mine" not in html["my"]                 # the boss's own items only
    assert "mine" in html["open"] and "done" not in html["open"] and "peer&#39;s" in html["open"]
    assert all(s in html["all"] for s in ("mine", "done", "peer&#39;s"))
    login(client, team["owner"])
    my = client.get("/service/?tab=my").get_data(as_text=True)
    assert f'data-item="feedback-{mine.id}"' in my and f'data-item="feedback-{done.id}"' not in my
    assert f'data-item="feedback-{staff.id}"' not in my


def test_filters_and_the_combined_list(app, client, login, team, make_item):
    make_item("feedback", team["owner"], subject="by phone", channel="phone")
    make_item("complaint", team["owner"], subject="by mail", channel="email", category="billing",
              priority="urgent")
    make_item("case", team["owner"], subject="a visit", channel="in_person")
    login(client, team["owner"])
    html = client.get("/service/?tab=all").get_data(as_text=True)
    assert all(s in html for s in ("by phone", "by mail", "a visit"))
    html = client.get("/service/?tab=all&type=complaint").get_data(as_text=True)
    assert "by mail" in html and "by phone" not in html
    html = client.get("/service/?tab=all&channel=in_person").get_data(as_text=True)
    assert "a visit" in html and "by mail" not in html
    html = client.get("/service/complaint/?tab=all&category=billing&priority=urgent&q=mail").get_data(as_text=True)
    assert "by mail" in html
    html = client.get("/service/complaint/?tab=all&category=delivery").get_data(as_text=True)
    assert "by mail" not in html
    html = client.get(f"/service/?tab=all&owner={team['peer'].id}").get_data(as_text=True)
    assert "by phone" not in html
    assert client.get("/service/?tab=all&sort=subject").status_code == 200
    assert client.get("/service/?tab=all&sort=-priority&page=1").status_code == 200
    assert client.get("/service/nothing/").status_code == 404


def test_priority_sorts_by_urgency(app, client, login, team, make_item):
    for priority in ("high", "low", "urgent", "normal"):
        make_item("feedback", team["owner"], subject=f"p-{priority}", priority=priority)
    login(client, team["owner"])
    html = client.get("/service/feedback/?tab=all&sort=-priority").get_data(as_text=True)
    order = [html.index(f"p-{p}") for p in ("urgent", "high", "normal", "low")]
    assert order == sorted(order)
