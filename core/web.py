"""Small helpers for views: errors with a reason, safe redirects, pagination, JSON answers."""
import json
import math
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlparse

from flask import Response, abort, current_app, has_request_context, request, url_for
from werkzeug.exceptions import default_exceptions

from core.babel import gettext as _


def query_link(endpoint, **query):
    """``url_for(endpoint, **query)`` for an endpoint whose rule has no variables (every argument goes to the
    query string), at a fraction of the cost: the address is built once per endpoint and request, then the
    query encoded as Werkzeug encodes it (a test holds the two equal). For pages with a link per cell (the
    forecast's figures)."""
    from core import stamp
    bases = stamp.memo("query_link_base")
    if endpoint not in bases:
        bases[endpoint] = url_for(endpoint)
    items = [(k, v) for k, v in query.items() if v is not None]
    return f"{bases[endpoint]}?{urlencode(items, safe=QUERY_SAFE)}" if items else bases[endpoint]


QUERY_SAFE = "!$'()*,/:;?@"  # what Werkzeug's own query encoding leaves as it is


def fail(code, message):
    """Abort with ``code`` and a message the error page shows (e.g. ``fail(409, _("Already converted"))``)."""
    exc = default_exceptions[code]()
    exc.zhixin_message = str(message)
    raise exc


# the characters that could end a <script> or open markup if a JSON answer were ever inlined into a page
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def attachment(filename, fallback="download"):
    """The Content-Disposition of a download named ``filename``, which may be any text (an invoice number
    with the school's Chinese prefix, "发票-2026-0007.pdf"): ``filename`` in ASCII for old clients — each run
    of anything but letters, digits, ``.``, ``_`` and ``-`` one ``_``, ``fallback`` when nothing is left
    but the extension — and, when that lost something, the whole name as ``filename*`` in UTF-8 (RFC 6266).
    Quotes, slashes and control characters never reach the header."""
    name = re.sub(r'[\x00-\x1f\x7f"\\/]+', "_", filename).strip() or fallback
    stem, _dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    simple = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-") or fallback
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    ascii_name = simple + ("." + ext if ext else "")
    if ascii_name == name:
        return f'attachment; filename="{ascii_name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def json_response(body):
    """``body`` as JSON that is safe inside HTML and never cached (the type-aheads' answers depend on who
    asks: core.records.owners, core.records.lookup_views)."""
    return Response(json.dumps(body, ensure_ascii=False).translate(_HTML_SAFE),
                    mimetype="application/json", headers={"Cache-Control": "private, no-store"})


def secure_cookies():
    """Whether a cookie set now gets the Secure flag: when the request came over HTTPS (behind
    ``ZHIXIN_PROXY_COUNT`` proxies, as their X-Forwarded-Proto says), or always with ``ZHIXIN_SECURE_COOKIES``."""
    config = current_app.config
    return bool(config["SECURE_COOKIES"] or config.get("SESSION_COOKIE_SECURE")) or (
        has_request_context() and request.is_secure)


def safe_next(target, default="/"):
    """Only a relative path on this site; anything else (an open redirect) becomes ``default``."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


@dataclass
class Page:
    """One page of a list and its count: ``total`` exact when ``exact``, else the list has more than
    ``total`` (``LIST_COUNT_CAP``) rows and ``more`` says whether a page follows this one."""
    items: list
    page: int
    per_page: int
    total: int
    exact: bool = True
    more: bool = False

    @property
    def pages(self):
        if not self.exact:  # the last page is not known: as far as the count goes, or the next one
            return max(math.ceil(self.total / self.per_page), self.page + (1 if self.more else 0))
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.more if not self.exact else self.page < self.pages

    def window(self, size=2):
        """Page numbers around the current one, with None for gaps: [1, None, 7, 8, 9, None, 40]."""
        pages = sorted({1, self.pages, *range(max(1, self.page - size), min(self.pages, self.page + size) + 1)})
        out, last = [], 0
        for p in pages:
            if p - last > 1:
                out.append(None)
            out.append(p)
            last = p
        return out


# Pages beyond this are refused before the database computes an offset (which overflows a 64-bit integer).
MAX_PAGE = 10 ** 6


def page_number():
    """``?page=``: text or a number below 1 means the first page; one beyond ``MAX_PAGE`` is a 404."""
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1
    if page > MAX_PAGE:
        fail(404, _("There is no page %(page)s in this list.", page=request.args["page"][:30]))
    return page


def paginate(query, page=None, per_page=None, count=True):
    """One page of ``query`` (LIMIT/OFFSET in SQL, one row more to know whether a page follows) and its count,
    capped as the record lists cap theirs: exact up to ``LIST_COUNT_CAP``, "more than" beyond it unless the
    reader asks for the exact figure (``?count=exact``), so a page never counts a whole large table."""
    page = page or page_number()
    per_page = per_page or current_app.config["PAGE_SIZE"]
    cap = current_app.config["LIST_COUNT_CAP"]
    total, exact = 0, True
    if count:
        unordered = query.order_by()
        if request.args.get("count") == "exact":
            total = unordered.count()
        else:
            total = unordered.limit(cap + 1).count()
            total, exact = (total, True) if total <= cap else (cap, False)
    rows = list(query.offset((page - 1) * per_page).limit(per_page + 1))
    items, more = rows[:per_page], len(rows) > per_page
    if not items and page > 1 and (total or not count):
        abort(404)
    return Page(items, page, per_page, total, exact, more)
