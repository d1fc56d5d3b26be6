"""Report definitions that plugins contribute through ``zhixin_reports`` (the reports plugin shows them).

A report runs *as the viewer*: ``run(user, params)`` must build its query with ``core.access.visible`` so it
never shows a row, count or sum the viewer's access would not allow.
"""
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

FAMILIES = ("customers", "opportunities", "sales", "leads", "competitors", "service", "campaigns")


@dataclass
class ReportParams:
    """What the viewer chose: a date range (local dates, inclusive) and an optional owner or team filter."""
    date_from: Optional[_dt.date] = None
    date_to: Optional[_dt.date] = None
    owner_id: Optional[int] = None          # one user
    position_id: Optional[int] = None       # a team: that position's subtree
    extra: dict = field(default_factory=dict)


# What a column's values are; the reports plugin formats each kind one way, on the page and in the CSV.
# A percent value is a fraction (0.571 shows as 57.1 %), never a number already multiplied by 100.
COLUMN_KINDS = ("text", "count", "number", "money", "percent", "date", "datetime")


@dataclass
class ReportColumn:
    key: str
    label: Any
    kind: str = "text"                      # one of COLUMN_KINDS
    total: bool = False                     # summed in the totals row

    def __post_init__(self):
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown report column kind {self.kind!r} (one of {', '.join(COLUMN_KINDS)})")


@dataclass
class ReportResult:
    columns: list
    rows: list                              # list of dicts keyed by column key
    chart: Optional[dict] = None            # {"kind": "bar", "label": key, "values": [keys]}
    totals: Optional[dict] = None
    drilldown: Optional[Callable[[dict], Optional[str]]] = None   # row -> URL of the matching records
    note: Any = ""


@dataclass
class ReportDefinition:
    id: str                                 # unique, e.g. "service.feedback_by_month"
    family: str                             # one of FAMILIES
    title: Any
    run: Callable[[Any, ReportParams], ReportResult]
    description: Any = ""
    chart: str = "bar"
    order: int = 100
    plugin: str = ""
    inputs: tuple = ()                      # extra fields the report's page offers: "days", "top" (ReportParams.extra)
