"""Back-office URLs of the bureau's events: field."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
