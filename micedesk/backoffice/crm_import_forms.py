"""Forms of the contact import: the file, the column mapping, the merge rules and choices per line."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from micedesk.crm.imports import (
    CREATE,
    DUPLICATE,
    MERGE,
    OVERWRITE,
    SKIP,
    TARGETS,
    UPDATE,
    Row,
    Rules,
)
from micedesk.crm.models import BureauAction, ImportBatch

DUPLICATE_CHOICES = [
    (UPDATE, gettext_lazy("Update the empty fields of the contact")),
    (OVERWRITE, gettext_lazy("Overwrite the contact with the file's values")),
    (SKIP, gettext_lazy("Skip the line")),
]
POSSIBLE_CHOICES = [
    (CREATE, gettext_lazy("Create a new contact")),
    (MERGE, gettext_lazy("Merge the line into the matching contact")),
    (SKIP, gettext_lazy("Skip the line")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    source_action = forms.ModelChoiceField(
        label=gettext_lazy("Bureau action these contacts came from (if the file does not say)"),
        queryset=BureauAction.objects.order_by("-starts_on", "name"),
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        megabytes = max(settings.CRM_IMPORT_MAX_BYTES // (1024 * 1024), 1)
        self.fields["file"].help_text = gettext_lazy(
            "An export of the existing base; %(size)s MB at most."
        ) % {"size": megabytes}


class MappingForm(forms.Form):
    """One select per column of the file: the field it fills, or nothing."""

    def __init__(self, *args: object, batch: ImportBatch, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        choices = [("", gettext_lazy("— Leave out —"))] + [(t.code, t.label) for t in TARGETS]
        for index, name in enumerate(batch.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=name or gettext_lazy("(column without a name)"),
                choices=choices,
                required=False,
                initial=batch.mapping.get(str(index), ""),
            )

    def mapping(self) -> dict[str, str]:
        """The mapping as chosen, whatever its errors (the service checks it)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return {
            str(index): data.get(f"column_{index}") or ""
            for index in range(len(self.batch.columns))
            if data.get(f"column_{index}")
        }


class RulesForm(forms.Form):
    """The rule for each kind of duplicate, and a choice for each line shown that needs one."""

    on_duplicate = forms.ChoiceField(
        label=gettext_lazy("A line with the e-mail of a contact already in the base"),
        choices=DUPLICATE_CHOICES,
        widget=forms.RadioSelect,
    )
    on_possible = forms.ChoiceField(
        label=gettext_lazy("A line with the name of a contact already in the base"),
        choices=POSSIBLE_CHOICES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, rows: list[Row], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for row in rows:
            choices = DUPLICATE_CHOICES if row.status == DUPLICATE else POSSIBLE_CHOICES
            self.fields[f"line_{row.line}"] = forms.ChoiceField(
                label=gettext_lazy("Line %(line)d") % {"line": row.line},
                choices=[("", gettext_lazy("As the rule says"))] + choices,
                required=False,
            )

    def line_field(self, row: Row) -> forms.BoundField:
        return self[f"line_{row.line}"]

    def rules(self) -> Rules:
        data = self.cleaned_data
        choices = {
            int(name.removeprefix("line_")): value
            for name, value in data.items()
            if name.startswith("line_") and value
        }
        return Rules(
            on_duplicate=data["on_duplicate"], on_possible=data["on_possible"], choices=choices
        )
