"""Settings for benchmarks: micedesk's own, plus a bare view to measure the server against."""

from micedesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["*"]
