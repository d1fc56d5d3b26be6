"""Time the opportunity pages against raw SQL on the same database, in the same run.

    python -m bench.records --size classroom          # bench/data/classroom.db (build it with bench.generate)
    python -m bench.records --database-url postgresql://postgres@127.0.0.1:5432/zx_bench --repeat 30

For a salesperson (a leaf position), a class lead (``class001``: a tenth of the school below) and the
teacher (the top of the tree), each page is requested
through Flask's test client (logged in, full app with its plugins, templates rendered) and the median time
is compared with the median time of the same query written by hand as raw SQL (the same access rule: own
records or owners in positions below, one range query on ``position.path``; the same sort, keyset and
search; a page needs its COUNT too, capped as the list caps it). ``ratio`` = page / raw SQL. ``empty
request`` is the floor of any request (GET /healthz) for scale: with small data the fixed cost of a request
dominates the ratio.

Pages: the opportunity list (first page), page 100 sorted by amount (or the last page if there are fewer;
reached by following Next, timed by its keyset URL against the same keyset query by hand), a quick search, one
detail page, the open-opportunity count (a small JSON endpoint this benchmark adds, counting through
``core.access.visible`` like a dashboard widget would), and a lookup field's account type-ahead (lookup.json)
for a common word and for a name typed nearly whole, against the ``LIKE`` scan by hand (the page reads the
search index where it helps: core.search); then the main pages of the forecast (my forecast), calendar (this
month: the viewer's own, and their team's), campaigns and service plugins. For those the floor is not written
by hand: it is the SQL the page itself runs, captured from one request (bench.querylog) and re-executed raw
(the same statements and parameters, rows fetched), minus the statements the empty request runs too (the stamp
and the session), which the empty request already counts.

``SQL building`` is the part of one request (an untimed pass, median of 5) that Peewee spends turning the
page's queries into SQL text (bench.querylog.build_time) — a fixed cost inside the overhead.

``overhead`` = (page ms - raw SQL ms) / empty-request ms: how many empty requests a page costs beyond its
own SQL (the issue's target: at most 3); the empty request of that row is timed in turn with the page's
samples (one page, one empty request, …), so that both see the same load.
"""
import argparse
import statistics
import time
from urllib.parse import quote

from bench import default_url, logged_in
from bench.querylog import build_time, capture

PLUGIN_PAGES = (("forecast", "my forecast", "/forecast/my"), ("calendar", "calendar month", "/calendar/"),
                ("calendar", "calendar, my team's month", "/calendar/?who=team"),
                ("campaigns", "campaigns", "/campaigns/"), ("service", "service cases", "/service/"))

SEARCH_WORD = "printer"
# the account type-ahead of a lookup field (an opportunity's account): a common word, and a name typed
# nearly whole (bench.generate names accounts "<company> <word> <n>")
LOOKUP_WORDS = ("printer", "Huaxin robotics 12")


def add_count_endpoint(app):
    from flask import jsonify
    from flask_login import current_user, login_required

    from core import access
    from core.models import Opportunity, SalesStage

    @login_required
    def open_count():
        query = (Opportunity.select(Opportunity.id).join(SalesStage)
                 .where(~SalesStage.is_won & ~SalesStage.is_lost))
        return jsonify(open=access.visible(query, current_user, "opportunity").count())
    app.add_url_rule("/bench/open-opportunities", "bench_open_count", open_count)


class RawSQL:
    """The hand-written queries, in the dialect of the database at hand."""

    def __init__(self, db, user, path, cap=1000):
        from core.db import is_postgres
        from core.models import Position
        self.db, self.p, self.cap = db, db.obj.param, cap
        q = db.obj.quote
        self.user_table = f"{q[0]}user{q[1]}"
        self.like = "ILIKE" if is_postgres() else "LIKE"
        lower, upper = Position.descendant_bounds(path)
        collate = ' COLLATE "C"' if is_postgres() else ""
        users = f"SELECT u.id FROM {self.user_table} u LEFT JOIN position p ON u.position_id = p.id"
        reach = (f"(u.id = {self.p} OR (p.path IS NOT NULL AND p.path{collate} > {self.p} "
                 f"AND p.path{collate} < {self.p}))")
        below = self.run(f"SELECT COUNT(*) FROM {self.user_table} u JOIN position p ON u.position_id = p.id "
                         f"WHERE p.path{collate} > {self.p} AND p.path{collate} < {self.p}", [lower, upper])[0][0]
        everyone = self.run(f"SELECT COUNT(*) FROM {self.user_table}", [])[0][0]
        # as core.access writes it: the few users out of reach for a list's page (plan "page") from a viewer
        # who reaches at least 1/50 of the users, for other queries from one who reaches most of them
        not_in, in_ = f"o.owner_id NOT IN ({users} WHERE NOT {reach})", f"o.owner_id IN ({users} WHERE {reach})"
        self.rule = not_in if below * 50 >= everyone else in_
        self.other_rule = not_in if below * 2 > everyone else in_
        self.rule_params = [user.id, lower, upper]

    def run(self, sql, params):
        cursor = self.db.execute_sql(sql, params)
        return cursor.fetchall()

    def page(self, order, offset, per_page, where="", where_params=()):
        joins = (f"FROM opportunity o LEFT JOIN account a ON o.account_id = a.id "
                 f"LEFT JOIN sales_stage s ON o.stage_id = s.id LEFT JOIN {self.user_table} w ON o.owner_id = w.id")
        cond = self.rule + where
        params = self.rule_params + list(where_params)
        # as the list counts (core.records.listing): up to the cap + 1 rows, "more than" beyond
        count = self.run(f"SELECT COUNT(*) FROM (SELECT 1 FROM opportunity o WHERE {cond} "
                         f"LIMIT {int(self.cap) + 1}) t", params)[0][0]
        rows = self.run(f"SELECT o.*, a.name, s.name, w.username {joins} WHERE {cond} ORDER BY {order} "
                        f"LIMIT {int(per_page) + 1} OFFSET {int(offset)}", params)
        return count, rows

    def after(self, column, value, row_id, per_page):
        """The keyset page after (value, id) in the order (column, id), as the list reads it."""
        return self.page(f"o.{column} ASC, o.id ASC", 0, per_page,
                         f" AND (o.{column} >= {self.p} AND (o.{column} > {self.p} OR o.id > {self.p}))",
                         (value, value, row_id))

    def search(self, word, per_page):
        like = f"%{word}%"
        return self.page("o.close_date DESC, o.id DESC", 0, per_page,
                         f" AND (o.name {self.like} {self.p} OR o.next_step {self.like} {self.p})", (like, like))

    def lookup(self, word, per_page):
        """The type-ahead's page of accounts whose name contains ``word`` (the scan, by hand)."""
        rule = self.rule.replace("o.owner_id", "a.owner_id")   # a page in name order, as core asks for it
        return self.run(f"SELECT a.* FROM account a WHERE {rule} AND a.name {self.like} {self.p} "
                        f"ORDER BY a.name, a.id LIMIT {int(per_page) + 1}", self.rule_params + [f"%{word}%"])

    def detail(self, record_id):
        return self.run(f"SELECT o.* FROM opportunity o WHERE o.id = {self.p} AND {self.other_rule}",
                        [record_id] + self.rule_params)

    def open_count(self):
        return self.run(f"SELECT COUNT(*) FROM opportunity o JOIN sales_stage s ON o.stage_id = s.id "
                        f"WHERE (s.is_won <> {self.p} AND s.is_lost <> {self.p}) AND {self.other_rule}",
                        self.rule_params + [True, True])[0][0]


def keyset_page(app, client, raw, per_page, wanted):
    """(page number, URL, (amount, id) of the row before it) of page ``wanted`` by amount (or the last page),
    reached as a user does: following the Next links (not timed)."""
    import html
    import re
    url, number = "/records/opportunity/?sort=amount", 1
    while number < wanted:
        found = re.search(r'<a href="([^"]+)" rel="next">', client.get(url).get_data(as_text=True))
        if not found:
            break
        url, number = html.unescape(found.group(1)), number + 1
    if number == 1:
        return 1, url, None
    from core.db import db
    with db.connection_context():  # the row before the page, for the hand-written query
        place = raw.run(f"SELECT o.amount, o.id FROM opportunity o WHERE {raw.rule} ORDER BY o.amount, o.id "
                        f"LIMIT 1 OFFSET {int((number - 1) * per_page - 1)}", raw.rule_params)[0]
    return number, url, tuple(place)


def captured_sql(client, url, fixed):
    """The read statements one request of ``url`` runs, without those of the empty request (``fixed``)."""
    from core.db import db
    with capture(db) as statements:
        client.get(url)
    return [(sql, params) for sql, params in statements
            if sql.lstrip().upper().startswith("SELECT") and sql not in fixed]


def replay(statements):
    from core.db import db

    def run():
        for sql, params in statements:
            db.execute_sql(sql, params).fetchall()
    return run


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter  # --clock cpu: this process's CPU time (SQLite runs in it), steadier on a busy machine


def timed_on_clock(fn, repeat):
    """bench.timed on the chosen clock."""
    fn()
    samples = []
    for _ in range(repeat):
        start = clock()
        fn()
        samples.append((clock() - start) * 1000)
    return statistics.median(samples)


def timed_with_empty(page, empty, repeat):
    """(median ms of ``page``, median ms of ``empty``), their samples taken in turn — so that both see the
    same load on a shared machine (the overhead column divides one by the other)."""
    page(), empty()
    samples = ([], [])
    for _ in range(repeat):
        for fn, out in ((page, samples[0]), (empty, samples[1])):
            start = clock()
            fn()
            out.append((clock() - start) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


def sql_building(client, url, repeat=5):
    """Median ms one request of ``url`` spends in Peewee turning its queries into SQL text (untimed pass)."""
    from core.db import db
    samples = []
    for _ in range(repeat):
        with build_time(db) as spent:
            client.get(url)
        samples.append(spent[0])
    return statistics.median(samples)


def measure_role(app, client, user, repeat, fixed=frozenset(), empty=None):
    from core.db import db
    from core.models import Position
    from core.records.lookups import LOOKUP_SEARCH_LIMIT
    with db.connection_context():
        path = Position.get_by_id(user.position_id).path
        raw = RawSQL(db, user, path, app.config["LIST_COUNT_CAP"])
        per_page = app.config["PAGE_SIZE"]
        _count, first_rows = raw.page("o.close_date DESC, o.id DESC", 0, per_page)
        total = raw.run(f"SELECT COUNT(*) FROM opportunity o WHERE {raw.rule}", raw.rule_params)[0][0]  # untimed
    record_id = first_rows[0][0]
    page_no, page_url, place = keyset_page(app, client, raw, per_page, 100)
    checks = [
        ("list, first page", "/records/opportunity/",
         lambda: raw.page("o.close_date DESC, o.id DESC", 0, per_page)),
        (f"list, page {page_no} by amount (keyset)", page_url,
         (lambda: raw.after("amount", *place, per_page)) if place else
         (lambda: raw.page("o.amount ASC, o.id ASC", 0, per_page))),
        (f"quick search '{SEARCH_WORD}'", f"/records/opportunity/?q={SEARCH_WORD}",
         lambda: raw.search(SEARCH_WORD, per_page)),
        ("detail page", f"/records/opportunity/{record_id}", lambda: raw.detail(record_id)),
        ("open-opportunity count", "/bench/open-opportunities", raw.open_count),
    ] + [(f"account type-ahead '{word}'", f"/records/account/lookup.json?q={quote(word)}",
          lambda word=word: raw.lookup(word, LOOKUP_SEARCH_LIMIT)) for word in LOOKUP_WORDS]
    plugins = app.extensions["zhixin_plugins"].order
    for plugin, label, url in PLUGIN_PAGES:
        if plugin in plugins:
            checks.append((f"{label} (captured SQL)", url, replay(captured_sql(client, url, fixed))))
    rows = []
    for label, url, sql in checks:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code} for {user.username}")
        # each request opens and closes its connection
        page_ms, empty_ms = timed_with_empty(lambda: client.get(url), lambda: empty.get("/healthz"), repeat)
        with db.connection_context():
            sql_ms = timed_on_clock(sql, repeat)
        rows.append((label, page_ms, sql_ms, empty_ms, sql_building(client, url)))
    return total, rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.records", description=__doc__.split("\n")[0])
    parser.add_argument("--size", help="picks the default SQLite file bench/data/<size>.db (default: classroom)")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plugins", help="comma list of enabled plugins (default: every bundled plugin)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall time (default), or this process's CPU time (only for an in-process database, "
                             "SQLite: a server's work is not in it), steadier when other jobs share the machine")
    args = parser.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    url = args.database_url or default_url(args.size or "classroom")
    label = args.size or ("classroom" if not args.database_url else "data")  # a given file's size is not known

    from core.app import create_app
    from core.db import db
    from core.models import Opportunity, User
    settings = {"DATABASE_URL": url, "TESTING": False, "WTF_CSRF_ENABLED": False}
    if args.plugins is not None:
        settings["PLUGINS"] = [p for p in args.plugins.split(",") if p]
    app = create_app(settings)
    add_count_endpoint(app)
    with app.app_context(), db.connection_context():
        records = Opportunity.select().count()
        people = {role: User.get(User.username == name) for role, name in
                  (("salesperson", "sales000"), ("class lead", "class001"), ("teacher", "teacher"))}
    empty = app.test_client()
    empty_ms = timed_on_clock(lambda: empty.get("/healthz"), args.repeat)
    with app.app_context(), capture(db) as statements:
        empty.get("/healthz")
    fixed = {sql for sql, _params in statements}
    with app.app_context():  # the session's read, which the empty request (anonymous) does not make
        probe = logged_in(app, people["salesperson"])
        with capture(db) as statements:
            probe.get("/healthz")
        fixed |= {sql for sql, _params in statements}
    plugins = ", ".join(app.extensions["zhixin_plugins"].order) or "none"
    print(f"# {label}: {records:,} opportunities, {url.split('@')[-1]}, median of {args.repeat}, "
          f"{args.clock} clock, plugins: {plugins}")
    print(f"empty request (GET /healthz): {empty_ms:.2f} ms\n")
    print("| role | page | visible | page ms | raw SQL ms | ratio | overhead | SQL building ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for role, user in people.items():
        client = logged_in(app, user)
        with app.app_context():
            total, rows = measure_role(app, client, user, args.repeat, fixed, empty)
        for label, page_ms, sql_ms, paired_empty_ms, building_ms in rows:
            print(f"| {role} | {label} | {total:,} | {page_ms:.1f} | {sql_ms:.2f} | {page_ms / sql_ms:.1f} "
                  f"| {(page_ms - sql_ms) / paired_empty_ms:.1f} | {building_ms:.2f} |")


if __name__ == "__main__":
    main()
