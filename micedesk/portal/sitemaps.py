"""sitemap.xml of the portal: the home, the search and every published supplier, in both languages."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from micedesk.directory.models import Supplier
from micedesk.directory.selectors import suppliers_visible_to


class PortalSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["portal:home", "portal:search"]

    def location(self, item: str) -> str:
        return reverse(item)


class SupplierSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    limit = 10000  # (supplier, language) pairs per sitemap page

    def items(self) -> QuerySet[Supplier]:
        # What the anonymous public sees: published listings only.
        return suppliers_visible_to(user=None).only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Supplier) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        return suppliers_visible_to(user=None).aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {"portal": PortalSitemap, "suppliers": SupplierSitemap}
