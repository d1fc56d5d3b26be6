"""Printable documents as PDF (WeasyPrint): the print page's own HTML (:mod:`plugins.sales.printing`) rendered
with a URL fetcher that answers exactly two addresses, the organisation's logo (from core's file store) and the
print stylesheet (from this plugin's static folder), and refuses every other one (a web address, ``file:``,
``data:``): nothing a user typed can make a PDF reach the network or the server's disk. Fonts come from the system
(fontconfig): the Chinese glyphs from ``fonts-wqy-microhei``; WeasyPrint needs Pango (docs/sales.md)."""
import os
from urllib.parse import urljoin

import weasyprint
from flask import request, url_for

from core import filestore
from core.models import StoredFile
from plugins.sales.printing import STYLESHEET, page

STATIC_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


class Refused(ValueError):
    """A URL the print fetcher does not serve."""


class DocumentFetcher(weasyprint.urls.URLFetcher):
    """Serves the logo and the print stylesheet at their absolute URLs under ``base_url``, and nothing else.
    ``asked`` keeps every URL WeasyPrint asked for, ``refused`` those it did not get."""

    def __init__(self, base_url, logo_name=""):
        super().__init__(allowed_protocols=())
        self.base_url, self.asked, self.refused = base_url, [], []
        self.served = {urljoin(base_url, url_for("sales.static", filename=STYLESHEET)): self._stylesheet}
        if logo_name:
            self.served[urljoin(base_url, url_for("admin.logo"))] = lambda: self._logo(logo_name)

    def fetch(self, url, headers=None):
        self.asked.append(url)
        serve = self.served.get(url)
        if serve is None:
            self.refused.append(url)
            raise Refused(f"not served to the PDF renderer: {url[:200]}")
        body, content_type = serve()
        return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _stylesheet():
        with open(os.path.join(STATIC_FOLDER, STYLESHEET), "rb") as fh:
            return fh.read(), "text/css; charset=utf-8"

    @staticmethod
    def _logo(name):
        stored = StoredFile.get_or_none(StoredFile.name == name)
        if stored is None:
            raise Refused("the logo is gone")
        return filestore.Reader(stored).readall(), stored.content_type or "application/octet-stream"


def render(view, fetcher=None):
    """The PDF bytes of ``view``, rendered from the print page's HTML with only the :class:`DocumentFetcher`."""
    base_url = request.host_url
    fetcher = fetcher or DocumentFetcher(base_url, view.org.logo if view.logo_url else "")
    html = weasyprint.HTML(string=page(view, for_pdf=True), base_url=base_url, url_fetcher=fetcher)
    return html.write_pdf()
