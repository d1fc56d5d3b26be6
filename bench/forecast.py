"""Benchmark: the teacher's team forecast page against the raw SQL aggregate it is built on.

    python -m bench.generate --size large          # once: the shared benchmark data (see bench/README.md)
    python -m bench.forecast --size large [--database-url URL] [--repeat 9]

Uses the database ``bench.generate`` builds (1,000 users in a 5-level tree; 40 % of the records are
opportunities with close dates within a year of today); when it holds no opportunities the generator runs
first. A quota for the current quarter is added for every user below the teacher if the quarter has none
(the forecast's own table; nothing else is changed). Then, interleaved and in the same run:

* floor — the raw SQL aggregate of the current quarter: one GROUP BY owner over the opportunities closing
  in it, no access filter, no page;
* page  — GET /forecast/team as the teacher through Flask's test client with every bundled plugin on:
  access filter, roll-up by position path, quotas, commits, the attainment chart, every cell's HTML.

Prints both medians in ms and their ratio (target <= 2) as a Markdown table.
"""
import argparse
import platform
import statistics
import time
from decimal import Decimal

from bench import SIZES, default_url, logged_in


def ensure_data(app, size, url):
    from core.db import db
    from core.models import Opportunity
    with app.app_context(), db.connection_context():
        if Opportunity.select().exists():
            return
    from bench import generate
    generate.main(["--size", size] + (["--database-url", url] if url != default_url(size) else []))


def ensure_quotas(quarter):
    """One quota per user below the teacher for ``quarter`` (only when the quarter has none)."""
    import random
    from core.models import Position, User
    from plugins.forecast.models import Quota
    if Quota.select().where(Quota.quarter_start == quarter.start).exists():
        return
    rng = random.Random(2026)
    users = User.select(User.id).join(Position).where(Position.depth > 0)
    rows = [dict(user=u.id, quarter_start=quarter.start, amount=Decimal(rng.randint(50, 500)) * 1000)
            for u in users]
    for i in range(0, len(rows), 500):
        Quota.insert_many(rows[i:i + 500]).execute()


def median_ms(funcs, repeat):
    """Median ms of each function, measured interleaved so drift (caches, checkpoints, other load on the
    machine) hits all of them alike."""
    times = [[] for _f in funcs]
    for _i in range(repeat):
        for i, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            times[i].append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.forecast", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--database-url", help="default: the generator's sqlite file bench/data/<size>.db")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)

    from core.app import create_app
    from core.db import db
    from core.migrate import upgrade
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench"})
    upgrade(app)
    ensure_data(app, args.size, url)

    from core.models import Opportunity, User
    from core import fiscal
    from plugins.forecast.figures import aggregate_query
    with app.app_context(), db.connection_context():
        quarter = fiscal.current_quarter()
        ensure_quotas(quarter)
        teacher = User.get(User.username == "teacher")
        users = User.select().count()
        opportunities = Opportunity.select().count()
        in_quarter = Opportunity.select().where(Opportunity.close_date.between(quarter.start, quarter.end)).count()

    client = logged_in(app, teacher)
    url_path = f"/forecast/team?quarter={quarter.key}"

    def floor():
        with app.app_context(), db.connection_context():
            list(aggregate_query(quarter.start, quarter.end).dicts())

    def page():
        response = client.get(url_path)
        assert response.status_code == 200, response.status_code

    floor(), page()  # warm the caches and the templates once
    floor_ms, page_ms = median_ms([floor, page], args.repeat)
    backend = url.split(":", 1)[0]
    print(f"## Team forecast, {args.size} ({backend}), "
          f"Python {platform.python_version()}\n")
    print(f"{users:,} users, {opportunities:,} opportunities, {in_quarter:,} closing in {quarter.key}; "
          f"median of {args.repeat} interleaved runs.\n")
    print("| measurement | ms |")
    print("|---|---:|")
    print(f"| raw SQL aggregate (floor) | {floor_ms:.1f} |")
    print(f"| team forecast page, teacher | {page_ms:.1f} |")
    print(f"| **ratio page / floor** (target <= 2) | **{page_ms / floor_ms:.2f}** |")
    return page_ms / floor_ms


if __name__ == "__main__":
    main()
