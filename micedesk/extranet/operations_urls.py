"""Extranet URLs of the bureau's events: a member's own participations."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
