"""Admin pages for positions, sharing modes, product catalogue and sales stages; the access explainer."""
from core.hierarchy import bp  # noqa: F401
