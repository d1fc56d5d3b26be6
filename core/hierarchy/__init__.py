"""The organisation's structure (组织结构): positions (工作岗位), sharing modes (共享模式), the product catalogue,
sales stages, and the access explainer ("Why can I see this?")."""
from flask import Blueprint

bp = Blueprint("hierarchy", __name__, url_prefix="/admin/structure")
