"""Sales forecast (销售预期管理) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
from core.babel import lazy_gettext as _l

NAME = "forecast"
TITLE = _l("Sales forecast")
VERSION = "0.1.0"
DESCRIPTION = _l("Quarterly quotas, attainment, closed, expected and best case, rolled up the hierarchy.")
REQUIRES = ()
