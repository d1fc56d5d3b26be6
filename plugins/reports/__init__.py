"""Reports (报表管理) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
NAME = "reports"
VERSION = "0.1.0"
DESCRIPTION = "The six report families, a report builder, charts and export."
REQUIRES = ()
