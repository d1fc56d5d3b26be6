"""Campaigns (市场拓广管理) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
from core.babel import lazy_gettext as _l

NAME = "campaigns"
TITLE = _l("Campaigns")
VERSION = "0.1.0"
DESCRIPTION = _l("Campaigns and their tasks, deadline reminders and effect follow-up.")
REQUIRES = ()
