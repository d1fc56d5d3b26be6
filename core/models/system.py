"""Platform tables: plugin switches, audit log, notifications, login attempts and locks, job claims and runs."""
import peewee

from core import clock
from core.db import BaseModel, db
from core.models.users import User


class PluginState(BaseModel):
    """The administrator's choice for one plugin (when ZHIXIN_PLUGINS does not decide)."""
    name = peewee.CharField(max_length=64, unique=True)
    enabled = peewee.BooleanField(default=True)
    changed_at = peewee.DateTimeField(default=clock.utcnow)


class AuditEntry(BaseModel):
    """Who changed what (审计日志): one row per create, change, delete or reassign of a record, and per
    teaching action (``record_type`` "teaching", see core.classroom.audit). ``at`` is real time, never the
    teaching clock."""
    record_type = peewee.CharField(max_length=64)
    record_id = peewee.IntegerField()
    action = peewee.CharField(max_length=20)
    user = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = peewee.DateTimeField(default=clock.real_utcnow)
    changes = peewee.TextField(default="{}")  # JSON: {field: [old, new]}

    class Meta:
        indexes = ((("record_type", "record_id", "at"), False),)


class Notification(BaseModel):
    """An in-app notification (通知). ``key`` makes a reminder exactly-once: one row per key, ever."""
    user = peewee.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    key = peewee.CharField(max_length=191, null=True, unique=True)
    kind = peewee.CharField(max_length=64, default="info")
    title = peewee.CharField(max_length=300)
    body = peewee.TextField(default="")
    link = peewee.CharField(max_length=500, default="")
    created_at = peewee.DateTimeField(default=clock.utcnow)
    read_at = peewee.DateTimeField(null=True)
    email_pending = peewee.BooleanField(default=False)
    emailed_at = peewee.DateTimeField(null=True)
    email_attempts = peewee.IntegerField(default=0)
    email_retry_at = peewee.DateTimeField(null=True)     # real time; the next try after a failure
    email_error = peewee.CharField(max_length=500, default="")   # the last delivery error
    email_failed_at = peewee.DateTimeField(null=True)    # given up after MAX_EMAIL_ATTEMPTS
    # the send state (core.notify.deliver_email): a scheduler holds the message while it sends, until the lease ends
    email_lease_until = peewee.DateTimeField(null=True)  # real time; set = "sending"
    email_claim = peewee.CharField(max_length=100, default="")   # who holds the lease: host:pid:token
    email_resent = peewee.BooleanField(default=False)    # sent again after an interrupted send (may be a duplicate)

    class Meta:
        indexes = ((("user", "read_at"), False),)


class LoginAttempt(BaseModel):
    """Failed logins (one row per wrong password), kept in the database so every worker counts the same: the
    per-address flood ceiling counts them. ``at`` is real time."""
    username = peewee.CharField(max_length=80, index=True)
    address = peewee.CharField(max_length=64, index=True)
    at = peewee.DateTimeField(default=clock.real_utcnow, index=True)


class LoginLock(BaseModel):
    """The failure count and lock of one account from one kind of client (登录锁定): ``client`` is "" for every
    browser without the account's device cookie, or that cookie's id for a browser the account logged in from
    before. Decided under a row lock (core.lockout), so parallel guesses cannot pass the limit; real time."""
    username = peewee.CharField(max_length=80)
    client = peewee.CharField(max_length=32, default="")
    failures = peewee.IntegerField(default=0)
    locks = peewee.IntegerField(default=0)  # locks since the last success: each lasts twice the one before
    locked_until = peewee.DateTimeField(null=True)
    updated_at = peewee.DateTimeField(default=clock.real_utcnow, index=True)

    class Meta:
        indexes = ((("username", "client"), True),)


class JobRun(BaseModel):
    """The last run of each scheduled job (core.scheduler), whichever scheduler ran it: a restarted scheduler
    runs at once what is due by it (core.scheduler.plan). Real time."""
    job = peewee.CharField(max_length=100, unique=True)
    started_at = peewee.DateTimeField(null=True)
    finished_at = peewee.DateTimeField(null=True)
    ok_at = peewee.DateTimeField(null=True)       # the last run that succeeded
    result = peewee.CharField(max_length=500, default="")


class JobClaim(BaseModel):
    """A (job, slot) claimed once: makes scheduled work idempotent across schedulers and restarts."""
    job = peewee.CharField(max_length=100)
    slot = peewee.CharField(max_length=91)
    claimed_at = peewee.DateTimeField(default=clock.real_utcnow)

    class Meta:
        indexes = ((("job", "slot"), True),)

    @classmethod
    def claim(cls, job, slot):
        """True exactly once per (job, slot), whoever asks and however often."""
        return (cls.insert(job=job, slot=str(slot), claimed_at=clock.real_utcnow())
                .on_conflict_ignore().as_rowcount().execute()) == 1


class CacheStamp(peewee.Model):
    """The settings cache's version (core.stamp): one row, slot 1, bumped by every write to a cached table."""
    slot = peewee.IntegerField(primary_key=True)
    version = peewee.BigIntegerField(default=1)

    class Meta:
        database = db
        table_name = "cache_stamp"
        legacy_table_names = False


class PublicChallenge(BaseModel):
    """The question one rendering of a public form asked (core.publicforms): its random ``token`` travels in the
    form, its ``answer`` stays here, and ``used_at`` makes it single-use whichever worker the answer reaches.
    ``form`` names the form that asked it ("service", "campaigns:12"): an answer counts only there."""
    form = peewee.CharField(max_length=64)
    token = peewee.CharField(max_length=64, unique=True)
    answer = peewee.IntegerField()
    asked_at = peewee.DateTimeField(index=True)
    used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "public_challenge"


class PublicSubmission(BaseModel):
    """One admitted post of a public form and its client address, kept in the database so every worker counts
    the same (per address and for the whole form). Real time."""
    form = peewee.CharField(max_length=64)
    address = peewee.CharField(max_length=64)
    at = peewee.DateTimeField(index=True)

    class Meta:
        table_name = "public_submission"
        indexes = ((("form", "at"), False), (("form", "address", "at"), False))
