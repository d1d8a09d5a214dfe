"""Forms of the public portal: the supplier search (read from the URL) and the login form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from micedesk.directory.selectors import SupplierSearch
from micedesk.directory.vocab import (
    EQUIPMENT,
    LABELS,
    QUALIFICATION_LEVEL_CODES,
    THEMES,
    Kind,
    Layout,
    QualificationLevel,
)
from micedesk.geo.models import Commune
from micedesk.geo.selectors import commune_search, departments_of_region

RADIUS_CHOICES = [(km, f"{km} km") for km in (10, 20, 30, 50, 100)]
RADIUS_DEFAULT = 20
SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("capacity", _("Capacity")),
    ("distance", _("Distance")),
    ("name", _("Name")),
]
MULTIPLE_FIELDS = ("department", "kind", "equipment", "label", "theme")
# The level filter in the URL: a level's code (`level=qualified`) finds that level or better.
LEVEL_BY_CODE = {code: level for level, code in QUALIFICATION_LEVEL_CODES.items() if level}
ANY_LEVEL = _("Any level")
LEVEL_CHOICES = [
    (QUALIFICATION_LEVEL_CODES[QualificationLevel.REFERENCED], _("Referenced or better")),
    (QUALIFICATION_LEVEL_CODES[QualificationLevel.QUALIFIED], _("Qualified or better")),
    (QUALIFICATION_LEVEL_CODES[QualificationLevel.RECOMMENDED], _("Recommended")),
]
MAX_PAGE = 5000
COMMUNE_CANDIDATES = 8


class SearchInput(forms.TextInput):
    input_type = "search"


class SearchForm(forms.Form):
    """The search as it stands in the URL. Bad values become errors; the valid part still searches."""

    q = forms.CharField(
        label=_("What are you looking for?"), required=False, max_length=200, widget=SearchInput
    )
    department = forms.MultipleChoiceField(
        label=_("Department"), required=False, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.MultipleChoiceField(
        label=_("Kind of supplier"),
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    commune = forms.CharField(
        label=_("Near the commune"),
        required=False,
        max_length=100,
        help_text=_("A commune name, postal code or INSEE code."),
    )
    radius_km = forms.TypedChoiceField(
        label=_("Within"),
        required=False,
        choices=RADIUS_CHOICES,
        coerce=int,
        empty_value=None,
        # Without a commune the radius means nothing: the page script leaves it out of the URL.
        widget=forms.Select(attrs={"data-only-with": "commune"}),
    )
    layout = forms.ChoiceField(
        label=_("Room layout"),
        required=False,
        choices=[("", _("Any layout")), *Layout.choices],
    )
    min_capacity = forms.IntegerField(
        label=_("Minimum capacity"), required=False, min_value=1, max_value=100000
    )
    min_bedrooms = forms.IntegerField(
        label=_("Minimum bedrooms"), required=False, min_value=1, max_value=10000
    )
    equipment = forms.MultipleChoiceField(
        label=_("Equipment"),
        required=False,
        choices=EQUIPMENT.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    label = forms.MultipleChoiceField(
        label=_("Labels and certifications"),
        required=False,
        choices=LABELS.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    theme = forms.MultipleChoiceField(
        label=_("Themes"),
        required=False,
        choices=THEMES.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.ChoiceField(
        label=_("Qualification by the bureau"),
        required=False,
        choices=[("", ANY_LEVEL), *LEVEL_CHOICES],
        widget=forms.RadioSelect,
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("radius_km"):
            # The radius select always shows a value: the one the search uses by default.
            self.data = self.data.copy()
            self.data["radius_km"] = str(RADIUS_DEFAULT)
        self.fields["department"].choices = [
            (department.code, department.name) for department in departments_of_region()
        ]
        self.commune_found: Commune | None = None
        self.commune_candidates: list[Commune] = []

    def clean_commune(self) -> str:
        text = self.cleaned_data["commune"].strip()
        if not text:
            return text
        candidates = list(commune_search(text=text, limit=COMMUNE_CANDIDATES))
        exact = [c for c in candidates if text == c.insee_code or slugify(c.name) == slugify(text)]
        if len(exact) > 1:
            candidates = exact
        if len(candidates) == 1 or len(exact) == 1:
            self.commune_found = (exact or candidates)[0]
            return text
        if not candidates:
            raise forms.ValidationError(
                _("No commune of the region matches “%(text)s”."), params={"text": text}
            )
        self.commune_candidates = candidates
        raise forms.ValidationError(
            _("Several communes match “%(text)s”: choose one below."), params={"text": text}
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        commune = self.commune_found
        if cleaned.get("sort") == "distance" and commune is None and "commune" not in self.errors:
            self.add_error("sort", _("Sorting by distance needs a commune."))
        if commune is not None and (commune.latitude is None or commune.longitude is None):
            self.add_error(
                "commune",
                _("The position of %(name)s is unknown: distances cannot be computed.")
                % {"name": commune.name},
            )
        return cleaned

    def valid_values(self, name: str) -> tuple[str, ...]:
        """The codes of a checkbox field that are valid, even when others in the URL are not."""
        if name in self.cleaned_data:
            return tuple(self.cleaned_data[name])
        allowed = {str(code) for code, _label in self.fields[name].choices}
        return tuple(value for value in self.data.getlist(name) if value in allowed)

    def search(self, *, page_size: int) -> SupplierSearch:
        """The SupplierSearch of the valid part of the form; call after is_valid()."""
        data = self.cleaned_data
        commune = self.commune_found
        has_origin = commune is not None and commune.latitude is not None
        sort = data.get("sort") or "relevance"
        if sort == "distance" and not has_origin:
            sort = "relevance"
        return SupplierSearch(
            q=data.get("q") or "",
            departments=self.valid_values("department"),
            kinds=self.valid_values("kind"),
            commune=commune,
            radius_km=(data.get("radius_km") or RADIUS_DEFAULT) if commune else None,
            layout=data.get("layout") or None,
            min_capacity=data.get("min_capacity"),
            min_bedrooms=data.get("min_bedrooms"),
            equipment=self.valid_values("equipment"),
            labels=self.valid_values("label"),
            themes=self.valid_values("theme"),
            level=LEVEL_BY_CODE.get(data.get("level") or "", 0),
            sort=sort,
            page=data.get("page") or 1,
            page_size=page_size,
        )


class LoginForm(AuthenticationForm):
    """Django's login form with the portal's wording and the browser hints for e-mail login."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "maxlength": 254}
        )
        self.fields["password"].label = _("Password")
