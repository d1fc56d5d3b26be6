"""Model base classes."""
import peewee

from core import clock, localdates
from core.db import BaseModel, db  # noqa: F401  (re-exported)
from core.models.users import User


class MoneyField(peewee.DecimalField):
    """Money as Decimal with two places (never float)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("auto_round", True)
        super().__init__(*args, **kwargs)


def list_sort_indexes(*columns, owned=True):
    """Meta ``indexes`` for the list columns a user may sort by (core.records.listing): ``(column, id)`` for
    who sees (nearly) everything, ``(owner, column, id)`` for who sees a few owners' rows; keyset pages read
    them in order from the cursor on. On an owned table the first is ``(column, id, owner)``: the same order,
    and a viewer who reaches most owners (``owner NOT IN …``) checks each row's owner from the index — a
    page's skipped rows and a report grouped by the column never read the table. Core's are created by
    migrations 0013 and 0019."""
    if not owned:
        return tuple(((c, "id"), False) for c in columns)
    return tuple([((c, "id", "owner"), False) for c in columns] + [(("owner", c, "id"), False) for c in columns])


class Record(BaseModel):
    """A CRM record: owned by a user, with who created/changed it and when.

    Every record type (core's and plugins') subclasses this, so core/access.py can filter it by
    ``owner`` and the record service can stamp and audit it.
    """
    owner = peewee.ForeignKeyField(User, index=True, on_delete="RESTRICT", backref="+")
    created_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    modified_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = peewee.DateTimeField(default=clock.utcnow, index=True)
    modified_at = peewee.DateTimeField(default=clock.utcnow)

    def save(self, *args, **kwargs):
        """Every save (the record service's, and any other) writes the local-date shadows of the record's
        datetimes (core.localdates) with the row itself."""
        localdates.stamp(self)
        return super().save(*args, **kwargs)

    def __str__(self):
        for attr in ("name", "title", "subject"):
            value = getattr(self, attr, None)
            if value:
                return str(value)
        return f"#{self.id}"
