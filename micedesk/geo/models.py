"""The destination's geography (INSEE codes) and the territories of its institutional partners."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("region")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    insee_code = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("web address"), max_length=120)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="communes", verbose_name=_("department")
    )
    postal_codes = models.JSONField(_("postal codes"), default=list)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]
        indexes = [models.Index(fields=["department", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.department_id})"


class PartnerKind(models.TextChoices):
    CONVENTION_BUREAU = "convention_bureau", _("Convention bureau")
    ATTRACTIVENESS_AGENCY = "attractiveness_agency", _("Departmental attractiveness agency")
    TOURIST_OFFICE = "tourist_office", _("Tourist office")


class Partner(models.Model):
    """An institutional partner: it covers a territory, a set of communes."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("web address"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=PartnerKind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="partners", verbose_name=_("department")
    )
    communes = models.ManyToManyField(
        Commune, related_name="partners", blank=True, verbose_name=_("territory")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="partners", blank=True, verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("institutional partner")
        verbose_name_plural = _("institutional partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
