"""Calendar (日历管理) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
from core.babel import lazy_gettext as _l

NAME = "calendar"
TITLE = _l("Calendar")
VERSION = "0.1.0"
DESCRIPTION = _l("Events and tasks by day, week and month, daily work plan, iCalendar.")
REQUIRES = ()
