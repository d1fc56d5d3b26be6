"""Record types registered by the bundled plugins get the generic list and export too."""
from core.records import registry


def test_every_registered_type_lists_and_exports(app, make_user, login):
    client = login(app.test_client(), make_user("boss", admin=True))
    for name in registry.registry():
        assert client.get(f"/records/{name}/").status_code == 200, name
        assert client.get(f"/records/{name}/export.csv").status_code == 200, name


def test_every_type_with_a_form_offers_it(app, make_user, login):
    client = login(app.test_client(), make_user("boss", admin=True))
    for name, rt in registry.registry().items():
        if rt.form is not None:
            assert client.get(f"/records/{name}/new").status_code == 200, name
            assert client.get(f"/records/{name}/import").status_code in (200, 404), name
