"""Build a benchmark database: 1,000 users in a 5-level position tree and about 10k / 100k / 1M records.

    python -m bench.generate --size classroom            # ~10k records  -> bench/data/classroom.db
    python -m bench.generate --size school               # ~100k records -> bench/data/school.db
    python -m bench.generate --size large --database-url postgresql://postgres@127.0.0.1:5432/zx_bench

Tree (depth 0..4): teacher → 10 classes → 5 departments each → 4 groups each → one salesperson position
per group. Users: the teacher, one lead per class, department and group, and the rest (739) spread over
the salesperson positions. Records (40 % opportunities, 20 % each accounts, contacts, leads) get owners
drawn uniformly from all users but the teacher, creation dates over the two years before ``BENCH_NOW``,
varied industries, types, regions and lead sources, statuses and ratings; contacts belong to accounts.
Rows go in as bulk inserts in chunks of 1,000 inside one ``atomic()`` per table (see :func:`insert`). The
same seed gives the same data.
"""
import argparse
import datetime as dt
import os
import random
import sys
import time

from bench import BENCH_NOW, SIZES, default_url

CLASSES, DEPARTMENTS, GROUPS, USERS = 10, 5, 4, 1000
WORDS = ("cloud", "printer", "laptop", "training", "licence", "server", "router", "campus", "library",
         "software", "projector", "tablet", "network", "security", "storage", "canteen", "furniture", "lab",
         "robotics", "camera", "display", "audio", "uniform", "transport", "energy", "solar", "heating",
         "water", "garden", "sports", "music", "museum", "textbook", "exam", "tutoring", "catering",
         "cleaning", "insurance", "consulting", "maintenance")
COMPANIES = ("Acme", "Huaxin", "Dongfang", "Changjiang", "Tianyi", "Jinqiao", "Minghui", "Xinghe",
             "Baiyun", "Lianhe", "Zhongke", "Kaida", "Haitong", "Ruifeng", "Guangming")
SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun")
REGIONS = ("华北", "华东", "华南", "华中", "西南", "西北", "东北")
GIVEN = ("Wei", "Na", "Fang", "Yang", "Jing", "Lei", "Min", "Qiang", "Jie", "Ting", "Ming", "Li")
CHUNK = 1000


class Progress:
    """A plain progress bar on stderr (no dependency); into a file or pipe, a line per quarter instead."""

    def __init__(self, label, total, width=30):
        self.label, self.total, self.width, self.done, self.start = label, max(total, 1), width, 0, time.time()
        self.live = sys.stderr.isatty()

    def advance(self, n):
        quarter = 4 * self.done // self.total
        self.done += n
        if not self.live and 4 * self.done // self.total == quarter:
            return
        filled = int(self.width * self.done / self.total)
        rate = self.done / max(time.time() - self.start, 1e-6)
        bar = (f"{self.label:<14} [{'#' * filled}{'.' * (self.width - filled)}] "
               f"{self.done:>9,}/{self.total:,} {rate:>9,.0f}/s")
        sys.stderr.write("\r" + bar if self.live else bar + "\n")
        sys.stderr.flush()

    def close(self):
        if self.live:
            sys.stderr.write("\n")


def insert(model, rows, label):
    """Bulk insert in chunks inside one transaction. Peewee's ``insert_many`` spends ~0.25 ms per row
    building SQL text, so the statement is built once per table and the chunks go through the driver's
    ``executemany`` with values converted by each field's own ``db_value``. Python-side defaults of the
    columns not given are filled in once."""
    from core.db import db
    if not rows:
        return
    names = list(rows[0])
    defaults = {}
    for name, field in model._meta.fields.items():
        if name not in names and not field.primary_key and field.default is not None:
            defaults[name] = field.default() if callable(field.default) else field.default
    fields = [model._meta.fields[n] for n in names + list(defaults)]
    q = db.obj.quote  # '""' or '``': opening and closing quote characters

    def quoted(name):
        return q[0] + name + q[1]
    columns = ", ".join(quoted(f.column_name) for f in fields)
    marks = ", ".join([db.obj.param] * len(fields))
    sql = f"INSERT INTO {quoted(model._meta.table_name)} ({columns}) VALUES ({marks})"
    fixed = tuple(model._meta.fields[n].db_value(v) for n, v in defaults.items())
    bar = Progress(label, len(rows))
    with db.atomic():
        cursor = db.cursor()
        for i in range(0, len(rows), CHUNK):
            chunk = rows[i:i + CHUNK]
            cursor.executemany(sql, [tuple(f.db_value(r.get(f.name)) for f in fields[:len(names)]) + fixed
                                     for r in chunk])
            bar.advance(len(chunk))
    bar.close()


def build_tree():
    """Positions with the tree API (so paths are built by the product's own code)."""
    from core import positions as tree
    teacher = tree.create("Teacher")
    levels = {0: [teacher], 1: [], 2: [], 3: [], 4: []}
    for c in range(1, CLASSES + 1):
        cls = tree.create(f"Class {c}", teacher)
        levels[1].append(cls)
        for d in range(1, DEPARTMENTS + 1):
            dept = tree.create(f"Class {c} Dept {d}", cls)
            levels[2].append(dept)
            for g in range(1, GROUPS + 1):
                group = tree.create(f"Class {c} Dept {d} Group {g}", dept)
                levels[3].append(group)
                levels[4].append(tree.create(f"Class {c} Dept {d} Group {g} Sales", group))
    return levels


def build_users(levels, password_hash):
    from core.models import User
    rows = [{"username": "teacher", "full_name": "Teacher", "position": levels[0][0].id}]
    for depth, prefix in ((1, "class"), (2, "manager"), (3, "leader")):
        rows += [{"username": f"{prefix}{i:03d}", "full_name": f"{prefix.title()} {i}", "position": p.id}
                 for i, p in enumerate(levels[depth], 1)]
    leaves = levels[4]
    n = 0
    while len(rows) < USERS:
        rows.append({"username": f"sales{n:03d}", "full_name": f"Salesperson {n}",
                     "position": leaves[n % len(leaves)].id})
        n += 1
    for r in rows:
        r.update(password_hash=password_hash, active=True, is_admin=False, language="en")
    rows.append({"username": "admin", "full_name": "Administrator", "password_hash": password_hash,
                 "is_admin": True, "active": True, "language": "en"})
    insert(User, rows, "users")
    return [u.id for u in User.select(User.id).where(User.username != "teacher", ~User.is_admin)]


def build_records(total, owners, rng):
    from core.models import Account, Contact, Lead, Opportunity, SalesStage
    from core.models.records import ACCOUNT_TYPES, INDUSTRIES, LEAD_RATINGS, LEAD_SOURCES, LEAD_STATUSES
    now = BENCH_NOW
    stages = list(SalesStage.select())
    n_acc, n_con, n_lead = total // 5, total // 5, total // 5
    n_opp = total - n_acc - n_con - n_lead

    def stamp(owner):
        """Owner and audit columns; created over the two years before now (the per-month reports get
        24 months to group), last changed between then and now."""
        created = now - dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        return {"owner": owner, "created_by": owner, "modified_by": owner, "created_at": created,
                "modified_at": created + (now - created) * rng.random()}

    first_account = (Account.select(Account.id).order_by(Account.id.desc()).scalar() or 0) + 1
    insert(Account, [dict(stamp(rng.choice(owners)), name=f"{rng.choice(COMPANIES)} {rng.choice(WORDS)} {i}",
                          type=rng.choice(ACCOUNT_TYPES), industry=rng.choice(INDUSTRIES),
                          region=rng.choice(REGIONS)) for i in range(n_acc)], "accounts")
    insert(Contact, [dict(stamp(rng.choice(owners)), last_name=rng.choice(SURNAMES), first_name=rng.choice(GIVEN),
                          email=f"c{i}@example.edu.cn",
                          account=first_account + rng.randrange(n_acc) if n_acc else None)
                     for i in range(n_con)], "contacts")
    insert(Lead, [dict(stamp(rng.choice(owners)), last_name=rng.choice(SURNAMES), first_name=rng.choice(GIVEN),
                       company=rng.choice(COMPANIES), status=rng.choice(LEAD_STATUSES),
                       source=rng.choice(LEAD_SOURCES), rating=rng.choice(LEAD_RATINGS)) for i in range(n_lead)],
           "leads")
    rows = []
    today = dt.date(2026, 6, 30)
    for i in range(n_opp):
        stage = rng.choice(stages)
        rows.append(dict(stamp(rng.choice(owners)), name=f"{rng.choice(WORDS)} for {rng.choice(COMPANIES)} #{i}",
                         account=first_account + rng.randrange(n_acc) if n_acc else None,
                         amount=rng.randrange(1_000, 5_000_000) / 10, stage=stage.id, probability=stage.probability,
                         close_date=today + dt.timedelta(days=rng.randrange(-365, 365)),
                         next_step=rng.choice(WORDS)))
    insert(Opportunity, rows, "opportunities")


def analyze():
    """Planner statistics for the new rows (MariaDB's sampled statistics were far off after bulk inserts:
    two distinct creation times counted on 200,000 accounts, and plans followed them)."""
    from core.db import db, is_mysql
    if is_mysql():
        tables = [row[0] for row in db.execute_sql("SHOW TABLES")]
        db.execute_sql("ANALYZE TABLE " + ", ".join(f"`{name}`" for name in tables))
    else:
        db.execute_sql("ANALYZE")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="classroom")
    parser.add_argument("--database-url", help="default: sqlite file bench/data/<size>.db")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true", help="replace an existing SQLite benchmark file")
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if os.path.exists(path):
            if not args.force:
                parser.error(f"{path} exists; pass --force to rebuild it")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)

    from werkzeug.security import generate_password_hash

    from core.app import create_app
    from core.db import db
    from core import clock, localdates
    from core.migrate import upgrade
    from core.models import Account, Contact, Lead, Opportunity
    app = create_app({"DATABASE_URL": url, "TESTING": False})
    upgrade(app)
    started = time.time()
    with app.app_context(), db.connection_context():
        if Opportunity.select().exists():
            parser.error(f"{url} holds records already: use an empty database")
        rng = random.Random(args.seed)
        levels = build_tree()
        owners = build_users(levels, generate_password_hash("bench-password", method="pbkdf2:sha256:1000"))
        build_records(SIZES[args.size], owners, rng)
        with db.atomic():       # bulk inserts bypass Record.save: the stored local dates in one UPDATE a table
            localdates.recompute([Account, Contact, Lead, Opportunity], str(clock.org_timezone().key))
        analyze()
    print(f"{args.size}: {SIZES[args.size]:,} records for {USERS:,} users in {url} "
          f"({time.time() - started:.1f} s). Users' password: bench-password")


if __name__ == "__main__":
    main()
