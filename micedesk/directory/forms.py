"""Form helpers for the directory: vocabularies stored as bit masks, edited as checkboxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import LABELS, THEMES, FlagSet


def formfield_https(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """The form field of a model field; a web address typed without a scheme is taken as https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class FlagSetField(forms.MultipleChoiceField):
    """A choice of codes of a FlagSet, as checkboxes; `mask()` turns the choice into the stored mask."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, flags: FlagSet, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=flags.choices, **kwargs)
        self.flags = flags

    def mask(self, codes: list[str]) -> int:
        return self.flags.mask(codes)


class FlagMasksMixin:
    """For a ModelForm: each FlagSetField named in `flag_masks` reads and writes a mask field.

    `flag_masks` maps the form field to the model field, e.g. {"labels": "label_mask"}; leave the
    mask fields out of Meta.fields.
    """

    flag_masks: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, mask_field in self.flag_masks.items():
            if name not in self.initial:
                self.initial[name] = self.fields[name].flags.codes_in(
                    getattr(self.instance, mask_field) or 0
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, mask_field in self.flag_masks.items():
            if name in cleaned:
                setattr(self.instance, mask_field, self.fields[name].mask(cleaned[name]))
        return cleaned


class SupplierAdminForm(FlagMasksMixin, forms.ModelForm):
    """A supplier as the bureau's staff edit it: labels and themes as checkboxes, slug optional."""

    labels = FlagSetField(LABELS, label=_("labels and certifications"))
    themes = FlagSetField(THEMES, label=_("themes"))
    flag_masks = {"labels": "label_mask", "themes": "theme_mask"}

    class Meta:
        model = Supplier
        formfield_callback = formfield_https
        fields = [
            "name",
            "slug",
            "external_id",
            "category",
            "status",
            "commune",
            "address",
            "postal_code",
            "latitude",
            "longitude",
            "description_fr",
            "description_en",
            "email",
            "phone",
            "website",
            "bedrooms",
            "beds",
            "restaurant_covers",
            "parking_spaces",
            "station_distance_km",
            "paris_travel_minutes",
            "day_delegate_price_min",
            "day_delegate_price_max",
            "members",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "The address of the public page. Leave empty to build it from the name and commune."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low = cleaned.get("day_delegate_price_min")
        high = cleaned.get("day_delegate_price_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "day_delegate_price_max", _("The highest price must be at least the lowest price.")
            )
        return cleaned
