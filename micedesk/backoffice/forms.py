"""Forms of the back-office: issuing an API key, filtering the directory export."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from micedesk.accounts.models import User
from micedesk.directory.models import Status
from micedesk.directory.vocab import Kind
from micedesk.geo.models import Department


class ApiKeyIssueForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the user"),
        help_text=_("The key acts as this user: it sees what the user's role sees."),
    )
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        help_text=_("What the key is for, e.g. the partner site that will use it."),
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("No user has the e-mail address %(email)s."),
                code="unknown_user",
                params={"email": email},
            )
        if not user.is_active:
            raise forms.ValidationError(
                _("The account %(email)s is deactivated: a key for it would not work."),
                code="inactive_user",
                params={"email": email},
            )
        return user


class ExportForm(forms.Form):
    FORMATS = [("csv", _("CSV (spreadsheet text)")), ("xlsx", _("Excel workbook (XLSX)"))]

    format = forms.ChoiceField(
        label=_("File format"), choices=FORMATS, initial="csv", widget=forms.RadioSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Status.choices], required=False
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of supplier"), choices=[("", _("Any kind")), *Kind.choices], required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        departments = [(d.code, str(d)) for d in Department.objects.order_by("code")]
        self.fields["department"].choices = [("", _("Any department")), *departments]
