"""Generic record machinery: record types, the record service, and the list/detail/form/CSV views."""
from core.records.registry import RecordType, RelationGrant, families, get
from core.records import registry  # noqa: E402  the module: ``records.get(...)``, ``records.registry()``


class RecordError(Exception):
    """A save or delete refused for a reason the user should read (shown as a form error or 409)."""


__all__ = ["RecordError", "RecordType", "RelationGrant", "families", "get", "registry"]
