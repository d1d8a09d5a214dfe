"""Portal URLs of the bureau's events: campaign pages and the partners' survey."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
