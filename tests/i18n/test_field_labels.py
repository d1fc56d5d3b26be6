"""Every field of every record type, core's and the bundled plugins', has a label in the reader's language:
core's lists, change history and exports name a plugin's fields too (a type whose pages are the plugin's own
gives its labels with ``RecordType(labels=form_labels(...))``). Before, a campaign's change history read
"Budget: 1000 → 2000" on a Chinese page: the label was the field's name, capitalised."""
from flask_babel import force_locale

from core.records import display, registry

# field names whose Chinese label rightly stays in Latin letters
LATIN = {"uid": "iCalendar UID: the standard's own name"}


def test_every_field_has_a_chinese_label(app):
    missing = []
    with app.test_request_context("/"), force_locale("zh"):
        types = registry.registry()
        assert {"campaign", "campaign_task", "calendar_event", "calendar_task", "forecast_commit",
                "service_case", "opportunity"} <= set(types)
        for rt in types.values():
            for name in rt.model._meta.fields:
                label = str(display.label(rt, name))
                if name != "id" and name not in LATIN and label.isascii():
                    missing.append(f"{rt.name}.{name}: {label!r}")
    assert not missing, "\n".join(missing)


def test_a_campaigns_change_history_names_its_fields_in_chinese(app, make_user, login):
    from plugins.campaigns.models import Campaign
    owner = make_user("alice", language="zh")
    client = login(app.test_client(), owner)
    campaign = Campaign.create(name="秋季展会", owner=owner, created_by=owner, modified_by=owner)
    form = {"name": "秋季展会", "type": "email", "status": "planned", "budget": "2000", "owner": str(owner.id)}
    assert client.post(f"/campaigns/{campaign.id}/edit", data=form).status_code == 302
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    history = page.split('data-section="audit"')[1]
    assert "预算: — → 2000" in history or "预算: — → 2,000" in history, history[:800]
    assert "Budget" not in history
