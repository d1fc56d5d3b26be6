"""Benchmark: every standard report, as the teacher, a class lead and a salesperson, against raw SQL.

    python -m bench.reports --size school                       # bench/data/school.db (bench.generate)
    python -m bench.reports --database-url sqlite:////tmp/copy.db --add-related --repeat 5

For each standard report of the reports plugin and each viewer, in the same run (medians in ms):

* ``report`` — ``definition.run(user, ReportParams())`` inside one request context (so the per-request
  caches — sharing modes, the viewer's position, the sales stages — are warm, as after a request's first
  query): the access filter (``core.access.visible``), building the Peewee query, the database's GROUP BY,
  names for the keys, the result rows and totals;
* ``its SQL`` — the statements that run sent to the database, captured and executed again with the driver:
  what the database alone costs for the report's own SQL;
* ``empty`` — an empty request (GET /healthz), timed before each viewer's reports in the same run (not
  interleaved with them: a request closes the database connection at its end, and the report would pay
  for reconnecting), and ``+3e`` whether the report is within raw SQL + 3 empty requests (the
  salesperson's target);
* ``raw SQL`` — the same result written by hand as one SQL text, fetched with the driver: the floor. The
  access rule is written in each of the forms right for the viewer (``form``, see :func:`raw_queries`)
  and the fastest counts;

and the ratios report ÷ raw SQL (target ≤ 2) and its SQL ÷ raw SQL (how good the generated SQL is), and the
slowest report (target: none over 1 s at 1M records). Where the raw SQL takes a fraction of a millisecond
the first ratio measures Python's fixed cost of building a query, not the query.

``bench.generate`` makes accounts, contacts, leads and opportunities only. ``--add-related`` first adds, to
the database given, stage history, product lines and competitor links for a share of the opportunities so
the reports over those tables have data (run it on a copy of a shared benchmark file).
"""
import argparse
import datetime as dt
import random

from bench import BENCH_NOW, default_url, timed


# --- the hand-written SQL -----------------------------------------------------------------------------------

def dialect():
    from core.db import is_mysql, is_postgres
    return "pg" if is_postgres() else ("mysql" if is_mysql() else "sqlite")


def month_sql(col):
    d = dialect()
    if d == "pg":
        return f"to_char({col}, 'YYYY-MM')"
    if d == "mysql":
        return f"DATE_FORMAT({col}, '%%Y-%%m')"
    return f"strftime('%Y-%m', {col})"


def quarter_sql(col):
    d = dialect()
    if d == "pg":
        return f"to_char({col}, 'YYYY-\"Q\"Q')"
    if d == "mysql":
        return f"CONCAT(YEAR({col}), '-Q', QUARTER({col}))"
    return f"strftime('%Y', {col}) || '-Q' || ((CAST(strftime('%m', {col}) AS INTEGER) + 2) / 3)"


def year_sql(col):
    d = dialect()
    if d == "pg":
        return f"date_part('year', {col})"
    if d == "mysql":
        return f"YEAR({col})"
    return f"strftime('%Y', {col})"


def days_sql(later, earlier):
    d = dialect()
    if d == "pg":
        return f"date_part('epoch', {later} - {earlier}) / 86400.0"
    if d == "mysql":
        return f"TIMESTAMPDIFF(SECOND, {earlier}, {later}) / 86400.0"
    return f"julianday({later}) - julianday({earlier})"


ACCESS_FORMS = ("or", "in", "not_in", "own")


def raw_queries(user_id, path, form="or"):
    """report id -> (sql, params) for a viewer with ``user_id`` at position ``path`` (None: no position),
    the access rule written in one of the ways ``form`` names: ``or`` — ``owner = me OR owner IN (users
    below)``; ``in`` — ``owner IN (me and the users below)``; ``not_in`` — ``owner NOT IN (the users out of
    reach)``; ``own`` — ``owner = me``, right only for a viewer with nobody below. Which is fastest depends
    on the database and on how much of the organisation the viewer reaches; the benchmark times every
    form that is right for the viewer and takes the fastest as the floor. Each query returns what the report
    shows: where the report names owners (or accounts, through access) the hand-written SQL joins the
    names too."""
    from core.db import db
    from core.models import SalesStage
    from plugins.reports import dates
    p = db.obj.param
    q = db.obj.quote
    user_t = f"{q[0]}user{q[1]}"
    won = ",".join(str(s.id) for s in SalesStage.select().where(SalesStage.is_won)) or "0"
    lost = ",".join(str(s.id) for s in SalesStage.select().where(SalesStage.is_lost)) or "0"
    open_ = ",".join(str(s.id) for s in SalesStage.select().where(~SalesStage.is_won & ~SalesStage.is_lost))
    below = (f"SELECT u.id FROM {user_t} u JOIN position ps ON u.position_id = ps.id "
             f"WHERE ps.path > {p} AND ps.path < {p}")
    lo, hi = (path, path[:-1] + "0") if path else ("", "")

    users = f"SELECT u.id FROM {user_t} u LEFT JOIN position ps ON u.position_id = ps.id"
    reached = f"u.id = {p} OR (ps.path IS NOT NULL AND ps.path > {p} AND ps.path < {p})"

    def acc(alias):
        if form == "own":
            return f"{alias}.owner_id = {p}", [user_id]
        if form == "in":
            return f"{alias}.owner_id IN ({users} WHERE {reached})", [user_id, lo, hi]
        if form == "not_in":
            return f"{alias}.owner_id NOT IN ({users} WHERE NOT ({reached}))", [user_id, lo, hi]
        return f"({alias}.owner_id = {p} OR {alias}.owner_id IN ({below}))", [user_id, lo, hi]

    def named(sql):
        """``sql`` (grouped by ``owner_id``) with each owner's names LEFT JOINed on, as the report does."""
        return f"SELECT g.*, u.full_name, u.username FROM ({sql}) g LEFT JOIN {user_t} u ON u.id = g.owner_id"

    out = {}

    def add(report, sql, *param_lists):
        out[report] = (sql, [x for params in param_lists for x in params])

    a_acc, a_par = acc("a")
    c_acc, c_par = acc("c")
    o_acc, o_par = acc("o")
    l_acc, l_par = acc("l")
    for field in ("industry", "type", "region"):
        add(f"reports.accounts_by_{field}", f"SELECT a.{field}, COUNT(*) FROM account a WHERE {a_acc} "
            f"GROUP BY a.{field}", a_par)
    # per month of creation: the stored local month (core.localdates), as one would write it by hand
    # (created up to now: the teaching clock may stand before some records)
    add("reports.new_accounts_per_month", f"SELECT a.created_month, COUNT(*) FROM account a "
        f"WHERE {a_acc} AND a.created_at <= {p} GROUP BY a.created_month", a_par, [BENCH_NOW])
    add("reports.new_contacts_per_month", f"SELECT c.created_month, COUNT(*) FROM contact c "
        f"WHERE {c_acc} AND c.created_at <= {p} GROUP BY c.created_month", c_par, [BENCH_NOW])
    add("reports.contacts_per_account", f"SELECT c.account_id, COUNT(*) FROM contact c WHERE {c_acc} AND "
        f"c.account_id IN (SELECT a.id FROM account a WHERE {a_acc}) GROUP BY c.account_id "
        f"ORDER BY COUNT(*) DESC LIMIT 200", c_par, a_par)
    cut = BENCH_NOW - dt.timedelta(days=30)
    add("reports.accounts_without_activity", f"SELECT a.id, a.name, a.modified_at, u.full_name, u.username "
        f"FROM account a LEFT JOIN {user_t} u ON u.id = a.owner_id WHERE {a_acc} AND a.modified_at < {p} "
        f"AND NOT EXISTS (SELECT 1 FROM opportunity o WHERE o.account_id = a.id AND o.modified_at >= {p} AND {o_acc}) "
        f"AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.account_id = a.id AND c.modified_at >= {p} AND {c_acc}) "
        f"ORDER BY a.modified_at, a.id LIMIT 500", a_par, [cut], [cut], o_par, [cut], c_par)
    opp = f"FROM opportunity o WHERE {o_acc} AND o.stage_id IN "
    add("reports.pipeline_by_stage", f"SELECT o.stage_id, COUNT(*), SUM(o.amount), SUM(o.amount * o.probability / 100) "
        f"{opp}({open_}) GROUP BY o.stage_id", o_par)
    add("reports.pipeline_by_close_month", f"SELECT {month_sql('o.close_date')} AS m, COUNT(*), SUM(o.amount) "
        f"{opp}({open_}) GROUP BY m", o_par)
    add("reports.pipeline_by_owner", named(f"SELECT o.owner_id, COUNT(*) AS n, SUM(o.amount) AS amount "
                                           f"{opp}({open_}) GROUP BY o.owner_id"), o_par)
    add("reports.win_loss", named(f"SELECT o.owner_id, COUNT(*) AS n, SUM(CASE WHEN o.stage_id IN ({won}) THEN 1 "
                                  f"ELSE 0 END) AS won, SUM(CASE WHEN o.stage_id IN ({won}) THEN o.amount ELSE 0 END) "
                                  f"AS won_amount, SUM(o.amount) AS amount {opp}({won},{lost}) GROUP BY o.owner_id"),
        o_par)
    # per quarter, and the overall average as the last row (the report's totals row)
    add("reports.average_deal_size", f"SELECT {quarter_sql('o.close_date')} AS k, COUNT(*), SUM(o.amount), "
        f"AVG(o.amount) {opp}({won}) GROUP BY k "
        f"UNION ALL SELECT NULL, COUNT(*), SUM(o.amount), AVG(o.amount) {opp}({won})",
        o_par, o_par)
    add("reports.average_days_in_stage",
        f"SELECT s.stage_id, COUNT(*), AVG({days_sql('s.left_at', 's.entered')}) FROM (SELECT h.stage_id, "
        f"h.changed_at AS entered, LEAD(h.changed_at) OVER (PARTITION BY h.opportunity_id ORDER BY h.changed_at, "
        f"h.id) AS left_at FROM opportunity_stage_history h JOIN opportunity o ON h.opportunity_id = o.id "
        f"WHERE {o_acc}) s WHERE s.left_at IS NOT NULL GROUP BY s.stage_id", o_par)
    start, end = dates.period("this_quarter")
    add("reports.closing_this_quarter", f"SELECT s.*, u.full_name, u.username, (SELECT COALESCE(a.name, '') FROM "
        f"account a WHERE a.id = s.account_id AND {a_acc}) FROM (SELECT o.id, o.name, o.amount, o.close_date, "
        f"o.stage_id, o.owner_id, o.account_id {opp}({open_}) AND o.close_date >= {p} AND o.close_date < {p} "
        f"ORDER BY o.close_date, o.id LIMIT 500) s LEFT JOIN {user_t} u ON u.id = s.owner_id "
        f"ORDER BY s.close_date, s.id", a_par, o_par, [start, end])
    add("reports.won_by_month", f"SELECT {month_sql('o.close_date')} AS k, COUNT(*), SUM(o.amount) "
        f"{opp}({won}) GROUP BY k", o_par)
    add("reports.won_by_quarter", f"SELECT {quarter_sql('o.close_date')} AS k, COUNT(*), SUM(o.amount) "
        f"{opp}({won}) GROUP BY k", o_par)
    add("reports.won_by_fiscal_year", f"SELECT {year_sql('o.close_date')} AS k, COUNT(*), SUM(o.amount) "
        f"{opp}({won}) GROUP BY k", o_par)
    add("reports.won_by_owner", named(f"SELECT o.owner_id, COUNT(*) AS n, SUM(o.amount) AS amount {opp}({won}) "
                                      f"GROUP BY o.owner_id"), o_par)
    add("reports.won_by_team", f"SELECT u.position_id, COUNT(*), SUM(o.amount) FROM opportunity o JOIN {user_t} u ON "
        f"o.owner_id = u.id WHERE {o_acc} AND o.stage_id IN ({won}) GROUP BY u.position_id", o_par)
    line = "li.quantity * li.unit_price * (100 - li.discount_percent) / 100"
    lines = (f"FROM opportunity_line li JOIN opportunity o ON li.opportunity_id = o.id "
             f"JOIN product pr ON li.product_id = pr.id WHERE {o_acc} AND o.stage_id IN ({won})")
    add("reports.won_by_product", f"SELECT li.product_id, COUNT(DISTINCT o.id), SUM(li.quantity), SUM({line}) {lines} "
        f"GROUP BY li.product_id", o_par)
    add("reports.won_by_category", f"SELECT pr.category_id, COUNT(DISTINCT o.id), SUM(li.quantity), SUM({line}) "
        f"{lines} GROUP BY pr.category_id", o_par)
    for field in ("source", "status", "rating"):
        add(f"reports.leads_by_{field}", f"SELECT l.{field}, COUNT(*) FROM lead l WHERE {l_acc} GROUP BY l.{field}",
            l_par)
    conv = "SUM(CASE WHEN l.status = 'converted' OR l.converted_at IS NOT NULL THEN 1 ELSE 0 END)"
    add("reports.lead_conversion_by_source", f"SELECT l.source, COUNT(*), {conv} FROM lead l WHERE {l_acc} "
        f"GROUP BY l.source", l_par)
    add("reports.leads_per_owner", named(f"SELECT l.owner_id, COUNT(*) AS n, {conv} AS converted FROM lead l "
                                         f"WHERE {l_acc} GROUP BY l.owner_id"),
        l_par)
    bands = [BENCH_NOW - dt.timedelta(days=d) for d in (7, 30, 90)]
    add("reports.lead_ageing", f"SELECT CASE WHEN l.created_at >= {p} THEN 0 WHEN l.created_at >= {p} THEN 1 "
        f"WHEN l.created_at >= {p} THEN 2 ELSE 3 END AS band, COUNT(*) FROM lead l WHERE "
        f"l.status NOT IN ('converted', 'unqualified') AND l.converted_at IS NULL AND {l_acc} GROUP BY band",
        bands, l_par)
    comp = (f"FROM opportunity_competitor oc JOIN opportunity o ON oc.opportunity_id = o.id WHERE {o_acc} "
            f"AND oc.competitor_id IN (SELECT id FROM competitor)")
    add("reports.competitor_opportunities", f"SELECT oc.competitor_id, COUNT(*), SUM(o.amount) {comp} "
        f"GROUP BY oc.competitor_id", o_par)
    add("reports.competitor_win_rate", f"SELECT oc.competitor_id, COUNT(*), SUM(CASE WHEN o.stage_id IN ({won}) "
        f"THEN 1 ELSE 0 END) {comp} AND o.stage_id IN ({won},{lost}) GROUP BY oc.competitor_id", o_par)
    add("reports.competitor_revenue_lost", f"SELECT oc.competitor_id, COUNT(*), SUM(o.amount) {comp} AND "
        f"o.stage_id IN ({lost}) GROUP BY oc.competitor_id", o_par)
    # the report builder's stage x month of creation (the bucket of a datetime), and its floor: the same
    # aggregate grouped by an indexed column alone, no date bucket at all
    add("builder.stage_by_month", f"SELECT o.stage_id, o.created_month, COUNT(*), SUM(o.amount) "
        f"FROM opportunity o WHERE {o_acc} GROUP BY o.stage_id, o.created_month", o_par)
    add("builder.plain_group_by", f"SELECT o.stage_id, COUNT(*), SUM(o.amount) FROM opportunity o WHERE {o_acc} "
        f"GROUP BY o.stage_id", o_par)
    return out


STAGE_BY_MONTH = {"type": "opportunity", "groups": [{"field": "stage"}, {"field": "created_at", "unit": "month"}],
                  "aggregates": [{"func": "count"}, {"func": "sum", "field": "amount"}], "chart": ""}


# --- related rows for the reports over history, lines and competitors ---------------------------------------

def add_related(share=0.2, seed=7):
    """Stage history (2–3 stays), 1–3 product lines and 0–2 competitor links for ``share`` of the
    opportunities — bulk inserts through bench.generate.insert."""
    from bench.generate import analyze, insert
    from core.db import db
    from core.models import (Competitor, Opportunity, OpportunityCompetitor, OpportunityLine,
                             OpportunityStageHistory, Product, ProductCategory, SalesStage, User)
    if OpportunityStageHistory.select().exists():
        return
    rng = random.Random(seed)
    stages = [s.id for s in SalesStage.select().order_by(SalesStage.order)]
    owner = User.select(User.id).order_by(User.id).first().id
    with db.atomic():
        cats = [ProductCategory.create(name=n).id for n in ("Hardware", "Software", "Services")]
        products = [Product.create(name=f"Product {i}", code=f"P{i:03d}", category=rng.choice(cats),
                                   unit_price=rng.randrange(10, 5000)).id for i in range(60)]
        competitors = [Competitor.create(name=f"Competitor {i}", owner=owner).id for i in range(25)]
    every = max(1, round(1 / share))
    ids = [oid for (oid,) in Opportunity.select(Opportunity.id).order_by(Opportunity.id).tuples()][::every]
    history, lines, links = [], [], []
    start = dt.datetime(2025, 6, 1)
    for oid in ids:
        at = start + dt.timedelta(days=rng.randrange(300))
        for s in rng.sample(stages, rng.randrange(2, 4)):
            history.append({"opportunity": oid, "stage": s, "amount": 0, "probability": 0, "changed_at": at})
            at += dt.timedelta(days=rng.randrange(1, 40), hours=rng.randrange(24))
        for _ in range(rng.randrange(1, 4)):
            lines.append({"opportunity": oid, "product": rng.choice(products), "quantity": rng.randrange(1, 20),
                          "unit_price": rng.randrange(10, 5000), "discount_percent": rng.choice((0, 5, 10))})
        for c in rng.sample(competitors, rng.randrange(0, 3)):
            links.append({"opportunity": oid, "competitor": c})
    insert(OpportunityStageHistory, history, "stage history")
    insert(OpportunityLine, lines, "product lines")
    insert(OpportunityCompetitor, links, "competitor links")
    analyze()


def statements_of(run):
    """The SQL statements (text, parameters) that ``run()`` sends to the database, in order."""
    from core.db import db
    seen, send = [], db.obj.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        seen.append((sql, params))
        return send(sql, params, *args, **kwargs)
    db.obj.execute_sql = spy
    try:
        run()
    finally:
        del db.obj.execute_sql      # back to the class's method
    return seen


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="school", help="classroom | school | large (bench.generate)")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--add-related", action="store_true")
    parser.add_argument("--only", help="comma-separated report ids")
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)

    from core import clock
    from core.app import create_app
    from core.db import db
    from core import positions as position_tree
    from core.migrate import upgrade
    from core.models import Opportunity, Position, User
    from core.reports import ReportParams
    from plugins.reports import builder
    from plugins.reports.service import definitions
    app = create_app({"DATABASE_URL": url, "PLUGINS": ["reports"], "TESTING": False, "SECRET_KEY": "bench"})
    upgrade(app)
    clock.freeze(BENCH_NOW)
    with app.app_context():
        db.connect(reuse_if_open=True)
        if args.add_related:
            add_related()
        total = Opportunity.select().count()
        # the top of the tree, a class lead (a tenth of the school below) and a salesperson (nobody below)
        viewers = [User.get(User.username == name) for name in ("teacher", "class001", "sales000")]
        print(f"{url}: {total:,} opportunities; median of {args.repeat} runs, ms")
        print(f"{'report':<28} {'viewer':<9} {'report':>8} {'its SQL':>8} {'raw SQL':>8} {'form':<6} "
              f"{'ratio':>6} {'SQL ratio':>9} {'empty':>6} {'+3e':>4}")
        client = app.test_client()

        def line(name, viewer, ms, its_sql, floor, form, empty):
            within = "yes" if ms <= floor + 3 * empty else "no"
            return (f"{name:<28} {viewer.username:<9} {ms:>8.1f} {its_sql:>8.1f} {floor:>8.1f} {form:<6} "
                    f"{ms / floor:>6.2f} {its_sql / floor:>9.2f} {empty:>6.2f} {within:>4}")
        worst = 0.0
        with app.test_request_context("/", headers={"Accept-Language": "en"}):
            reports = definitions()
            only = set(args.only.split(",")) if args.only else None
            for viewer in viewers:
                path = Position.get_by_id(viewer.position_id).path if viewer.position_id else None
                leaf = not (User.select().join(Position, on=(User.position == Position.id))
                            .where(position_tree.below(path)).exists()) if path else True
                forms = [f for f in ACCESS_FORMS if f != "own" or leaf]
                raws = {form: raw_queries(viewer.id, path, form) for form in forms}
                empty = timed(lambda: client.get("/healthz"), args.repeat)
                db.connect(reuse_if_open=True)      # the request closed the connection at its end
                for report_id, definition in sorted(reports.items(), key=lambda kv: (kv[1].family, kv[1].order)):
                    if only and report_id not in only:
                        continue
                    ms = timed(lambda: definition.run(viewer, ReportParams()), args.repeat)
                    statements = statements_of(lambda: definition.run(viewer, ReportParams()))
                    its_sql = timed(lambda: [db.execute_sql(sql, params).fetchall() for sql, params in statements],
                                    args.repeat)
                    floor, form = min((timed(lambda: db.execute_sql(*raws[form][report_id]).fetchall(),
                                             args.repeat), form) for form in forms)
                    worst = max(worst, ms)
                    print(line(report_id[8:], viewer, ms, its_sql, floor, form, empty), flush=True)
                if not only or "builder.stage_by_month" in only:
                    spec = builder.clean(STAGE_BY_MONTH)
                    ms = timed(lambda: builder.run(spec, viewer, ReportParams()), args.repeat)
                    statements = statements_of(lambda: builder.run(spec, viewer, ReportParams()))
                    its_sql = timed(lambda: [db.execute_sql(sql, params).fetchall() for sql, params in statements],
                                    args.repeat)
                    floors = {key: min((timed(lambda: db.execute_sql(*raws[form][key]).fetchall(), args.repeat),
                                        form) for form in forms)
                              for key in ("builder.stage_by_month", "builder.plain_group_by")}
                    (floor, form), (plain, _form) = floors["builder.stage_by_month"], floors["builder.plain_group_by"]
                    print(line("builder stage x month", viewer, ms, its_sql, floor, form, empty) +
                          f"   plain GROUP BY stage_id {plain:.1f} ms, report / plain {ms / plain:.2f}", flush=True)
        print(f"slowest report: {worst:.0f} ms")
    if not db.is_closed():
        db.close()
    clock.freeze(None)


if __name__ == "__main__":
    main()
