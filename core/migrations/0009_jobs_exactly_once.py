"""Jobs exactly once: the e-mail send state of ``notification`` (a lease ``email_lease_until`` held by
``email_claim``, and ``email_resent`` for a message sent again after an interrupted send) and the ``job_run``
table (each scheduled job's last run). Frozen: the table is a model defined here, the columns explicit fields."""
import peewee
from playhouse.sqlite_ext import AutoIncrementField

TABLE = "notification"
COLUMNS = {
    "email_lease_until": lambda: peewee.DateTimeField(null=True),
    "email_claim": lambda: peewee.CharField(max_length=100, default=""),
    "email_resent": lambda: peewee.BooleanField(default=False),
}


def job_run_model(db):
    class JobRun(peewee.Model):
        # ids never reused on SQLite either (as core.db.IdField does for every table)
        id = AutoIncrementField() if isinstance(db, peewee.SqliteDatabase) else peewee.AutoField()
        job = peewee.CharField(max_length=100, unique=True)
        started_at = peewee.DateTimeField(null=True)
        finished_at = peewee.DateTimeField(null=True)
        ok_at = peewee.DateTimeField(null=True)
        result = peewee.CharField(max_length=500, default="")

        class Meta:
            database = db
            table_name = "job_run"
            legacy_table_names = False
    return JobRun


def up(migrator, db):
    migrator.migrate(*[migrator.add_column(TABLE, name, make()) for name, make in COLUMNS.items()])
    job_run_model(db).create_table(safe=False)


def down(migrator, db):
    job_run_model(db).drop_table(safe=True)
    migrator.migrate(*[migrator.drop_column(TABLE, name) for name in COLUMNS])
