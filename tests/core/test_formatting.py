"""Money and dates on pages (core.templating): the fast formatters write exactly what Babel writes, for the
languages the CRM speaks and the currencies an organisation may keep, so a list of 20 amounts no longer pays
Babel's price per cell without showing anything different."""
import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from hypothesis import given, settings, strategies as st

from core import templating

LOCALES = ("zh_CN", "zh", "en", "en_US", "de_DE", "fr_FR", "hi_IN")  # hi_IN groups by lakh: Babel's own path
CURRENCIES = ("CNY", "USD", "EUR", "JPY", "GBP", "KWD", "HKD")

@settings(max_examples=300, deadline=None)
@given(value=st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"), allow_nan=False,
                         allow_infinity=False),
       currency=st.sampled_from(CURRENCIES), locale=st.sampled_from(LOCALES))
def test_money_reads_as_babel_writes_it(value, currency, locale):
    assert templating.format_money(value, currency, locale) == format_currency(value, currency, locale=locale)


def test_money_rounds_halves_as_babel_does():
    for text in ("0.005", "0.015", "0.025", "-0.005", "2.675", "1234.5", "999999.995", "0", "-0"):
        for currency in ("CNY", "JPY", "KWD"):
            value = Decimal(text)
            assert templating.format_money(value, currency, "zh_CN") == format_currency(value, currency,
                                                                                        locale="zh_CN")


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
       fmt=st.sampled_from(("short", "medium", "long", "full")), locale=st.sampled_from(LOCALES))
def test_dates_read_as_babel_writes_them(day, fmt, locale):
    assert templating._format_date(day, fmt, locale) == format_date(day, fmt, locale=locale)

