"""Extranet URLs of evaluations: partners evaluate, suppliers read theirs and contest."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
