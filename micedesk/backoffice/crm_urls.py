"""Back-office URLs of the CRM: crm."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
