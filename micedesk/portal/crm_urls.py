"""Portal URLs of the CRM: the signed unsubscribe link."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
