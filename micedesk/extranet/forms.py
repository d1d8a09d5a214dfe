"""Forms of the extranet: a supplier's listing, its meeting rooms and its photo uploads."""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from micedesk.directory.forms import FlagMasksMixin, FlagSetField, formfield_https
from micedesk.directory.models import MeetingRoom, Supplier
from micedesk.directory.services import PHOTO_FORMATS
from micedesk.directory.vocab import LABELS, THEMES
from micedesk.geo.models import Commune

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
ROOMS_MAX = 50


class CommuneField(forms.ModelChoiceField):
    """A commune of the region, typed as its INSEE code (the page offers the names in a datalist)."""

    default_error_messages = {
        "invalid_choice": _(
            "No commune of the region has the INSEE code “%(value)s”. Type the name of the "
            "commune and pick it from the list, or type its five-character INSEE code."
        ),
    }

    def __init__(self, **kwargs: object) -> None:
        queryset = Commune.objects.filter(department__region_id=settings.MICEDESK_REGION_CODE)
        widget = forms.TextInput(
            attrs={"list": "commune-options", "autocomplete": "off", "size": 8, "maxlength": 5}
        )
        super().__init__(queryset=queryset, widget=widget, **kwargs)

    def to_python(self, value: object) -> Commune | None:
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)


def commune_options() -> list[tuple[str, str, str]]:
    """INSEE code, name and department of every commune of the region, for the datalist."""
    return list(
        Commune.objects.filter(department__region_id=settings.MICEDESK_REGION_CODE)
        .order_by("name", "insee_code")
        .values_list("insee_code", "name", "department_id")
        .iterator(chunk_size=4000)
    )


class SupplierForm(FlagMasksMixin, forms.ModelForm):
    """The listing as its supplier keeps it; status, slug and summaries are not the supplier's to set."""

    commune = CommuneField(
        label=_("Commune (INSEE code)"),
        help_text=_("Start typing the name of the commune and pick it from the list."),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        required=False,
        validators=[RegexValidator(r"^\d{5}$", _("A postal code has five digits."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "maxlength": 5}),
    )
    labels = FlagSetField(LABELS, label=_("Labels and certifications"))
    themes = FlagSetField(THEMES, label=_("Themes"))
    flag_masks = {"labels": "label_mask", "themes": "theme_mask"}

    class Meta:
        model = Supplier
        formfield_callback = formfield_https
        fields = [
            "name",
            "category",
            "address",
            "postal_code",
            "commune",
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
        ]
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 6, "lang": "fr"}),
            "description_en": forms.Textarea(attrs={"rows": 6, "lang": "en"}),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        low, high = cleaned.get("day_delegate_price_min"), cleaned.get("day_delegate_price_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "day_delegate_price_max",
                ValidationError(
                    _(
                        "The highest day-delegate price (%(high)s €) is below the lowest "
                        "(%(low)s €): the price range must go from the lowest to the highest."
                    ),
                    code="price_range_inverted",
                    params={"low": low, "high": high},
                ),
            )
        return cleaned


class RoomForm(forms.ModelForm):
    class Meta:
        model = MeetingRoom
        fields = [
            "name",
            "area_m2",
            "ceiling_height_m",
            "natural_light",
            "blackout",
            "step_free_access",
            "capacity_theatre",
            "capacity_classroom",
            "capacity_u_shape",
            "capacity_boardroom",
            "capacity_banquet",
            "capacity_cabaret",
            "capacity_cocktail",
            "projector",
            "screen",
            "sound",
            "videoconference",
            "wifi",
            "power_outlets",
        ]


class BaseRoomFormSet(forms.BaseInlineFormSet):
    def rooms(self) -> list[MeetingRoom]:
        """The rooms to keep, in the order shown: the existing ones not removed, and the filled new ones."""
        rooms = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            room = form.instance
            room.position = len(rooms) + 1
            rooms.append(room)
        return rooms


RoomFormSet = forms.inlineformset_factory(
    Supplier,
    MeetingRoom,
    form=RoomForm,
    formset=BaseRoomFormSet,
    extra=1,
    can_delete=True,
    max_num=ROOMS_MAX,
    validate_max=True,
)


class PhotoForm(forms.Form):
    """The upload as a browser sends it. What the field can tell (weight, name, declared type) is
    checked here; the content is decoded and re-encoded by directory.services.supplier_photo_add,
    whose refusals the view shows on this form."""

    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def clean_image(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["image"]
        _check_photo_upload(upload)
        return upload


def _check_photo_upload(upload: UploadedFile) -> None:
    """Refuse by size, name and declared type before any byte is decoded."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("This file weighs %(size)s; a photo may weigh at most %(max)s."),
            code="photo_too_big",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(PHOTO_MAX_BYTES)},
        )
    extension = os.path.splitext(upload.name or "")[1].lower()
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    accepted = {content_type for _ext, types in PHOTO_FORMATS.values() for content_type in types}
    if extension not in PHOTO_EXTENSIONS or declared not in accepted:
        raise ValidationError(
            _("Only JPEG, PNG and WebP photos are accepted; this file is “%(name)s” (%(type)s)."),
            code="photo_wrong_type",
            params={"name": upload.name, "type": declared or _("unknown type")},
        )
