"""Campaigns (市场拓广管理) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
NAME = "campaigns"
VERSION = "0.1.0"
DESCRIPTION = "Campaigns and their tasks, deadline reminders and effect follow-up."
REQUIRES = ()
