"""Benchmark: the teacher's team forecast page against the raw SQL aggregate it is built on.

    python -m bench.forecast [--size large] [--database-url sqlite:////tmp/zx-bench-forecast.db] [--runs 7]

Builds a school (teacher → classes → departments → salesperson positions, several students each) with
opportunities spread over the fiscal year — through ``bench.generate`` when it offers ``generate(app, size)``,
otherwise with the small generator below — then times, in the same run:

* the floor: the raw SQL aggregate of the quarter (GROUP BY owner, no access filter, no page);
* the page: GET /forecast/team as the teacher (access filter, roll-up, quotas, commits, two charts, HTML).

It prints both medians in ms and their ratio (target ≤ 2).
"""
import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from decimal import Decimal

SIZES = {  # classes, departments per class, students per salesperson position, opportunities
    "small": (2, 2, 3, 2_000),
    "medium": (6, 3, 4, 20_000),
    "large": (10, 4, 6, 200_000),
}


def build_app(url):
    from core.app import create_app
    from core.migrate import upgrade
    app = create_app({"DATABASE_URL": url, "PLUGINS": ["forecast"], "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench", "PASSWORD_METHOD": "pbkdf2:sha256:1000",
                      "INSTANCE_PATH": os.path.join(tempfile.gettempdir(), "zx-bench-instance")})
    upgrade(app)
    return app


def generate_school(size, rng):
    """Positions, users, quotas and opportunities in bulk (insert_many in chunks, one transaction)."""
    from core.db import db
    from core.hierarchy import positions as P
    from core.models import Opportunity, SalesStage, User
    from plugins.forecast import fiscal
    from plugins.forecast.models import Quota
    classes, departments, students, opportunities = SIZES[size]
    password = "pbkdf2:sha256:1000$bench$0"
    with db.atomic():
        teacher_pos = P.create("Teacher")
        users = [("teacher", teacher_pos)]
        for c in range(1, classes + 1):
            cls = P.create(f"Class {c}", teacher_pos)
            users.append((f"class{c}", cls))
            for d in range(1, departments + 1):
                dept = P.create(f"Class {c} Department {d}", cls)
                sales = P.create(f"Class {c} Department {d} Sales", dept)
                users.append((f"manager{c}_{d}", dept))
                users += [(f"student{c}_{d}_{s}", sales) for s in range(1, students + 1)]
        User.insert_many([dict(username=u, full_name=u.title(), password_hash=password, position=p.id)
                          for u, p in users]).execute()
        ids = [u.id for u in User.select(User.id).order_by(User.id)]
        stages = list(SalesStage.select())
        quarter = fiscal.current_quarter()
        year = quarter.year_quarters()
        Quota.insert_many([dict(user=uid, quarter_start=quarter.start, amount=Decimal(rng.randint(50, 300)) * 1000)
                           for uid in ids[1:]]).execute()
        span = (year[-1].end - year[0].start).days
        rows = []
        for i in range(opportunities):
            stage = rng.choice(stages)
            rows.append(dict(name=f"Opportunity {i}", owner=rng.choice(ids), amount=Decimal(rng.randint(100, 99_999_99)) / 100,
                             stage=stage.id, probability=stage.probability,
                             close_date=year[0].start + dt.timedelta(days=rng.randint(0, span))))
            if len(rows) == 1000:
                Opportunity.insert_many(rows).execute()
                rows = []
        if rows:
            Opportunity.insert_many(rows).execute()
    return User.get(User.username == "teacher")


def median_ms(funcs, runs):
    """Median ms of each function, measured interleaved so drift (caches, checkpoints) hits all alike."""
    times = [[] for _f in funcs]
    for _i in range(runs):
        for i, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            times[i].append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--database-url", default=f"sqlite:///{tempfile.gettempdir()}/zx-bench-forecast.db")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the data a previous run generated")
    args = parser.parse_args(argv)
    if args.reuse:
        pass
    elif args.database_url.startswith("sqlite:///"):
        path = args.database_url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        _drop_all(args.database_url)
    app = build_app(args.database_url)
    from core.db import db
    from plugins.forecast import fiscal
    from plugins.forecast.figures import aggregate_query
    with app.app_context(), db.connection_context():
        t0 = time.perf_counter()
        from core.models import Opportunity, User
        teacher = User.get_or_none(User.username == "teacher") if args.reuse else None
        teacher = teacher or generate_school(args.size, random.Random(2026))
        quarter = fiscal.current_quarter()
        print(f"data: {User.select().count()} users, {Opportunity.select().count()} opportunities "
              f"({args.size}, generated in {time.perf_counter() - t0:.1f} s) on {args.database_url.split(':')[0]}")
        in_quarter = Opportunity.select().where(Opportunity.close_date.between(quarter.start, quarter.end)).count()
        print(f"quarter {quarter.key}: {in_quarter} opportunities close in it")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(teacher.id)
        session["_fresh"] = True
    url = f"/forecast/team?quarter={quarter.key}"

    def raw():
        with app.app_context(), db.connection_context():
            list(aggregate_query(quarter.start, quarter.end).dicts())

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    raw(), page()  # warm caches and templates
    floor, team = median_ms([raw, page], args.runs)
    print(f"raw SQL aggregate (floor): {floor:8.1f} ms")
    print(f"team forecast page       : {team:8.1f} ms")
    print(f"ratio page / floor       : {team / floor:8.2f}  (target <= 2)")
    return team / floor


def _drop_all(url):
    """Start from an empty database (the benchmark owns the one it is given)."""
    import peewee
    from core.db import make_database
    database = make_database(url)
    database.connect()
    if isinstance(database, peewee.PostgresqlDatabase):
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    else:
        database.execute_sql("SET FOREIGN_KEY_CHECKS=0")
        for table in database.get_tables():
            database.execute_sql(f"DROP TABLE `{table}`")
        database.execute_sql("SET FOREIGN_KEY_CHECKS=1")
    database.close()


if __name__ == "__main__":
    main()
