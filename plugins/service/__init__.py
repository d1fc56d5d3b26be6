"""Customer service (客户服务管理) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
from core.babel import lazy_gettext as _l

NAME = "service"
TITLE = _l("Customer service")
VERSION = "0.1.0"
DESCRIPTION = _l("Feedback, complaints and service cases with response targets and charts.")
REQUIRES = ()
