"""Framework-free helpers shared by every app."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "micedesk.core"
