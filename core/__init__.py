"""Zhixin CRM core (智欣 CRM 核心).

A plugin needs one import: ``from core import hookimpl``.
"""
import pluggy

hookimpl = pluggy.HookimplMarker("zhixin")

__version__ = "0.1.0"
