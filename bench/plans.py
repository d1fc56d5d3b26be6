"""Print the database's plan of the opportunity list's queries (first page, a keyset page by amount, the
capped count) for the teacher and a salesperson, as core.records builds them.

    python -m bench.plans --size large
    python -m bench.plans --database-url postgresql://postgres@127.0.0.1:5432/zx_bench
"""
import argparse

import peewee

from bench import default_url


def plans(app, user, sort, place):
    from flask_login import login_user

    from core.db import db, is_postgres
    from core.records import listing, registry, views
    rt = registry.get("opportunity")
    with app.test_request_context(f"/records/opportunity/?sort={sort}"):
        login_user(user)
        query, state = views.list_query(rt, user, {"sort": sort})
        column, model = state["sort_column"], rt.model
        first = listing._ordered(query, model, column, not state["desc"]).limit(21)
        out = [("first page", first)]
        if place:
            keyset = listing._after(column, model, place[0], place[1], not state["desc"])
            out.append(("keyset page", listing._ordered(query.where(keyset), model, column, not state["desc"])
                        .limit(21)))
        cap = app.config["LIST_COUNT_CAP"]
        inner = state["base"].select(model.id).order_by().limit(cap + 1)
        out.append(("capped count", inner))
        for label, q in out:
            sql, params = q.sql()
            if is_postgres():
                prefix = "EXPLAIN "
            elif isinstance(db.obj, peewee.SqliteDatabase):
                prefix = "EXPLAIN QUERY PLAN "
            else:
                prefix = "EXPLAIN "
            rows = db.execute_sql(prefix + sql, params).fetchall()
            yield label, sql, rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.plans", description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="classroom")
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    from core.app import create_app
    from core.db import db
    from core.models import Opportunity, User
    app = create_app({"DATABASE_URL": args.database_url or default_url(args.size), "TESTING": False})
    with app.app_context():
        with db.connection_context():
            middle = Opportunity.select().count() // 4  # a place well inside the list, for the keyset page
            places = {}
            for sort, column in (("-close_date", Opportunity.close_date), ("amount", Opportunity.amount)):
                row = Opportunity.select(column, Opportunity.id).order_by(column, Opportunity.id).offset(middle).first()
                places[sort] = (getattr(row, column.name), row.id) if row else None
            users = [User.get(User.username == username) for username in ("teacher", "sales000")]
        for user in users:
            username = user.username
            for sort in ("-close_date", "amount"):
                for label, sql, rows in plans(app, user, sort, places[sort]):
                    print(f"## {username}, sort={sort}, {label}\n{sql}")
                    for r in rows:
                        print("   ", " | ".join(str(c) for c in r))
                    print()


if __name__ == "__main__":
    main()
