"""Classroom and instructor tools (教学工具): guided setup, roster import, exercises with automatic checking,
class sandboxes, modules per class, the teaching clock, view-as-student and the instructor overview."""
from flask import Blueprint

bp = Blueprint("classroom", __name__, url_prefix="/classroom")
