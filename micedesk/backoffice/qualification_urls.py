"""Back-office URLs of the qualification grids and evaluations."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
