"""Every standard report and page answers for every kind of viewer."""
import pytest

from plugins.reports.standard import definitions

IDS = [d.id for d in definitions()]


@pytest.mark.parametrize("report_id", IDS)
def test_every_standard_report_answers_for_admin_and_salesperson(client, login, world, report_id):
    for user in (world.admin, world.ann, world.outsider):
        login(client, user)
        for fmt in ("", "csv", "print"):
            resp = client.get(f"/reports/run/{report_id}?format={fmt}")
            assert resp.status_code == 200, (user.username, fmt, resp.data[:300])


def test_reports_contributed_by_other_plugins_render_in_every_format(client, login, world):
    from plugins.reports import service
    contributed = [d for d in service.definitions().values() if d.plugin != "reports"]
    for definition in contributed:
        for user in (world.admin, world.ann):
            login(client, user)
            for fmt in ("", "csv", "print"):
                resp = client.get(f"/reports/run/{definition.id}?format={fmt}")
                assert resp.status_code == 200, (definition.id, user.username, fmt, resp.data[:300])
            family = client.get(f"/reports/family/{definition.family}")
            assert definition.id.encode() in family.data
