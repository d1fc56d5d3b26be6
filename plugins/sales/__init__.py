"""Quote to cash (报价单 → 销售订单 → 发票 → 收款) — a bundled Zhixin CRM plugin.

This module holds only metadata; the hook implementations are in ``plugin.py``, imported when enabled.
"""
from core.babel import lazy_gettext as _l

NAME = "sales"
TITLE = _l("Quote to cash")
VERSION = "0.1.0"
DESCRIPTION = _l("Quotes, sales orders, invoices and payments, numbered per fiscal year.")
REQUIRES = ()
