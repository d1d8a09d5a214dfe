"""Who may enter the back-office: the bureau's staff and administrators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Anonymous visitors go to the login page; logged-in users who are not bureau staff get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_bureau_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)
