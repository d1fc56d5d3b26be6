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
