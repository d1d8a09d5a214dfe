"""Back-office URLs of the CRM: crm_segment."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
