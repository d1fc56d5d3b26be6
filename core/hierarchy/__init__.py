"""The admin pages of the organisation's structure (组织结构): positions (工作岗位), sharing modes (共享模式), the
product catalogue and sales stages, together on one blueprint; and the access explainer ("Why can I see
this?"). The position tree itself is :mod:`core.positions`; app.py imports each page module."""
from flask import Blueprint

bp = Blueprint("hierarchy", __name__, url_prefix="/admin/structure")
