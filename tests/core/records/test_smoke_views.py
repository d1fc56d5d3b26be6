from tests.core.records.conftest import make_account, make_opportunity


def test_every_core_type_lists_and_opens_new_form(school, as_user):
    client = as_user(school["owner"])
    for name in ("account", "contact", "lead", "opportunity", "document", "competitor", "product"):
        r = client.get(f"/records/{name}/")
        assert r.status_code == 200, (name, r.data[-3000:])
        if name != "product":
            r = client.get(f"/records/{name}/new")
            assert r.status_code == 200, (name, r.get_data(as_text=True)[-3000:])


def test_detail_pages(school, as_user, products):
    acc = make_account(school["owner"])
    opp = make_opportunity(school["owner"], account=acc)
    client = as_user(school["owner"])
    for name, rid in (("account", acc.id), ("opportunity", opp.id), ("product", products[0].id)):
        r = client.get(f"/records/{name}/{rid}")
        assert r.status_code == 200, (name, r.get_data(as_text=True)[-300:])
