"""A list page's cells (core.records.display.table_rows) are worked out per column the short way: each must be
exactly what :func:`display.html` (and, for the first column's link, :func:`display.text`) writes for it — for
every list column of every registered record type, on the demo school's rows, in both languages, for a viewer
who reads every linked record and for one who may not read some (their names then read "(private record)")."""
import pytest
from flask_login import login_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from core import names
from core.hierarchy.sharing import set_mode
from core.models import Opportunity, User
from core.records import display, registry, views


def expected(rt, rows, columns):
    out = []
    for row in rows:
        first = Markup('<a href="{}">{}</a>').format(display.record_url(row),
                                                     display.text(rt, row, columns[0]) or row)
        cells = [first] + [display.html(rt, row, name) for name in columns[1:]]
        out.append([(display.is_numeric(rt.model, name), cell) for name, cell in zip(columns, cells)])
    return out


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_list_cell_reads_as_the_detail_page_writes_it(demo_app, language):
    demo = demo_app
    with demo.app_context():
        set_mode("opportunity", "read")
        set_mode("contact", "read")
        set_mode("account", "private")  # a student reads every opportunity and contact, not every account
        viewers = [User.get(User.username == name) for name in ("teacher", "student05")]
        opportunity = Opportunity.select().where(Opportunity.owner != viewers[1].id,
                                                 Opportunity.account.is_null(False)).first()
    checked, private = 0, 0
    for viewer in viewers:
        for rt in list(registry.registry(demo).values()):
            if not rt.list_columns:
                continue
            with demo.test_request_context(f"/records/{rt.name}/", headers={"Accept-Language": language}):
                demo.preprocess_request()
                login_user(viewer)
                query, state = views.list_query(rt, viewer, MultiDict())
                rows = list(views._page(query, state).items)
                if rt.name == "opportunity":  # a row whose account the student may not read, on this page
                    rows.append(query.where(Opportunity.id == opportunity.id).get())
                names.prime(rows, viewer)
                got = [cells for _row, cells in display.table_rows(rt, rows, rt.list_columns)]
                assert got == expected(rt, rows, rt.list_columns), (viewer.username, rt.name)
                checked += sum(len(cells) for cells in got)
                private += sum(str(names.PRIVATE) in str(cell) for cells in got for _numeric, cell in cells)
    assert checked > 500
    assert private > 0  # the student's side was tried
