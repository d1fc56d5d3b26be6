"""Lab exercises (实验练习) — an example exercise plugin for Zhixin CRM, made with ``zhixin plugin new`` and then
completed. This module holds metadata only; the hooks are in ``plugin.py``."""
NAME = "lab_exercises"
VERSION = "0.1.0"
DESCRIPTION = "Example exercises across modules: leads, opportunities, campaigns and complaints, checked automatically."
REQUIRES = ()
