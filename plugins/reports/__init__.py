"""Reports (报表管理) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
from core.babel import lazy_gettext as _l

NAME = "reports"
TITLE = _l("Reports")
VERSION = "0.1.0"
DESCRIPTION = _l("The six report families, a report builder, charts and export.")
REQUIRES = ()
