"""Back-office URLs of the bureau's events: operations."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
