"""Load the bureau's action plan from its data file; a plan already loaded is kept as edited."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from micedesk.plan.reference import DEFAULT_PLAN_FILE, PlanFileError, load_plan


class Command(BaseCommand):
    help = "Load the action plan (data/plan/normandie-2023-2025.toml by default)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PLAN_FILE))
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a plan with the same code, and every edit made to it since.",
        )

    def handle(self, *args, path: str, replace: bool, **options):
        try:
            result = load_plan(Path(path), replace=replace)
        except (OSError, PlanFileError) as error:
            raise CommandError(str(error)) from None
        if not result.created:
            self.stdout.write(
                f"{result.plan}: already loaded, kept as edited (--replace reloads it)."
            )
            return
        self.stdout.write(
            f"{result.plan}: {result.actions} actions, {result.costs} cost estimates, "
            f"{result.action_years} action-years, {result.kpis} indicators."
        )
