"""Time the indexed quick search (core.search) against its raw indexed SQL and against today's LIKE scan,
in the same run, on the same database.

    python -m bench.search --size large                 # bench/data/large.db, after `zhixin upgrade`
    python -m bench.search --database-url postgresql://postgres@127.0.0.1:5432/zx_search_bench

For a salesperson (``sales000``, a leaf position) and the teacher, and for a common and a rare term:

- ``list`` — the opportunity list searched (``/records/opportunity/?q=…``, a full request through Flask's test
  client, the index used where ``core.search.narrowing`` chooses it);
- ``list, scan`` — the same request with the index switched off (``core.search.MIN_INDEXED`` raised): today's
  ``LIKE '%q%'`` scan;
- ``raw indexed SQL`` — the list's COUNT and first page by hand, with the index (SQLite: ``id IN (SELECT rowid
  FROM opportunity_search WHERE … MATCH …)``; PostgreSQL: the ``ILIKE`` that pg_trgm's GIN index serves;
  MariaDB: ``MATCH … AGAINST``), and ``raw scan SQL``, the same without the index;
- ``global`` / ``global, scan`` — the global search page (``/search?q=…``: every record type, five rows each
  and the count), with the index and without.

``list / raw`` is the target "search ≤ 2× its raw indexed SQL"; ``scan / list`` the target "≥ 10× faster
than today's scan for the teacher".
"""
import argparse
from urllib.parse import quote

from bench import default_url, logged_in, timed
from bench.records import RawSQL

TERMS = {"common": "printer", "rare": "#12345"}


def indexed_condition(raw, word):
    """The index condition of the raw SQL, in the database's dialect, and its parameters."""
    from core.db import db, is_mysql, is_sqlite
    if is_sqlite():
        return (f" AND o.id IN (SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH {raw.p})",
                ['"' + word.replace('"', '""') + '"'])
    if is_mysql():
        grams = db.execute_sql("SELECT zx_search_grams(%s)", (word,)).fetchone()[0]
        return (" AND MATCH (o.search_grams) AGAINST (%s IN BOOLEAN MODE)",
                [" ".join("+" + g for g in dict.fromkeys(grams.split()))])
    return "", []  # PostgreSQL: the GIN index serves the ILIKE itself


def raw_search(raw, word, per_page, indexed):
    like = f"%{word}%"
    where = f" AND (o.name {raw.like} {raw.p} OR o.next_step {raw.like} {raw.p})"
    params = [like, like]
    if indexed:
        extra, extra_params = indexed_condition(raw, word)
        where, params = extra + where, extra_params + params
    return raw.page("o.close_date DESC, o.id DESC", 0, per_page, where, params)


def measure(app, client, user, repeat):
    from core import search
    from core.db import db
    from core.models import Position
    with db.connection_context():
        raw = RawSQL(db, user, Position.get_by_id(user.position_id).path)
    per_page = app.config["PAGE_SIZE"]
    rows = []
    for kind, word in TERMS.items():
        with db.connection_context():
            found = raw_search(raw, word, per_page, indexed=False)[0]
            assert raw_search(raw, word, per_page, indexed=True)[0] == found, word
            indexed_sql = timed(lambda: raw_search(raw, word, per_page, True), repeat)
            scan_sql = timed(lambda: raw_search(raw, word, per_page, False), repeat)
        timings = {}
        term = quote(word)
        for label, url in (("list", f"/records/opportunity/?q={term}"), ("global", f"/search?q={term}")):
            response = client.get(url)
            assert response.status_code == 200 and f'value="{word}"' in response.get_data(as_text=True), url
            timings[label] = timed(lambda: client.get(url), repeat)
            saved, search.MIN_INDEXED = search.MIN_INDEXED, 10 ** 6   # today's scan
            try:
                timings[label + ", scan"] = timed(lambda: client.get(url), repeat)
            finally:
                search.MIN_INDEXED = saved
        rows.append((kind, word, found, timings, indexed_sql, scan_sql))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="classroom", help="picks the default SQLite file bench/data/<size>.db")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)

    from core.app import create_app
    from core.db import db
    from core.models import Opportunity, User
    app = create_app({"DATABASE_URL": url, "TESTING": False, "WTF_CSRF_ENABLED": False})
    with app.app_context(), db.connection_context():
        records = Opportunity.select().count()
        people = {"salesperson": User.get(User.username == "sales000"), "teacher": User.get(User.username == "teacher")}
    print(f"# {args.size}: {records:,} opportunities, {url.split('@')[-1]}, median of {args.repeat}")
    print("| role | term | found | list ms | raw indexed SQL ms | list / raw | list, scan ms | raw scan SQL ms "
          "| scan / list | global ms | global, scan ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for role, user in people.items():
        client = logged_in(app, user)
        with app.app_context():
            rows = measure(app, client, user, args.repeat)
        for kind, word, found, t, indexed_sql, scan_sql in rows:
            print(f"| {role} | {kind} '{word}' | {found:,} | {t['list']:.1f} | {indexed_sql:.2f} | "
                  f"{t['list'] / indexed_sql:.1f} | {t['list, scan']:.1f} | {scan_sql:.2f} | "
                  f"{t['list, scan'] / t['list']:.1f} | {t['global']:.1f} | {t['global, scan']:.1f} |")


if __name__ == "__main__":
    main()
