"""Who may enter the extranet: members of a supplier or of an institutional partner."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def extranet_member_required(view: View) -> View:
    """Anonymous visitors go to the login page; logged-in users without a member role get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        user = request.user
        if not (user.is_supplier_member or user.is_partner_member):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def supplier_member_required(view: View) -> View:
    """Views that change a listing: only supplier members; partners read, they never write."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_supplier_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)
