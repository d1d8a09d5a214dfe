"""`manage.py setup_demo`: the demo data set and one login per role, idempotent; prints the logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from micedesk.accounts.models import Role, User
from micedesk.accounts.services import user_create
from micedesk.crm.demo import demo_crm_generate
from micedesk.directory.demo import demo_suppliers_generate
from micedesk.directory.models import Supplier
from micedesk.geo.models import Commune, Partner
from micedesk.leads.demo import demo_requests_generate
from micedesk.operations.demo import demo_operations_generate, demo_operations_remove
from micedesk.plan.demo import demo_plan_extend
from micedesk.qualification.demo import demo_evaluations_generate
from micedesk.qualification.services import grids_load_defaults

DEMO_SEED = 2026
DEMO_LOGINS = [
    # email, password, role, description
    (
        "admin@micedesk.localhost",
        "demo-admin-2026",
        Role.ADMIN,
        "Administrateur (démo)",
    ),
    ("staff@micedesk.localhost", "demo-staff-2026", Role.STAFF, "Équipe du bureau (démo)"),
    ("hotel@micedesk.localhost", "demo-hotel-2026", Role.SUPPLIER, "Membre prestataire (démo)"),
    (
        "partner@micedesk.localhost",
        "demo-partner-2026",
        Role.PARTNER,
        "Membre du bureau des congrès (démo)",
    ),
]


class Command(BaseCommand):
    help = "Load the demo data set (suppliers, quote requests, evaluations, contacts, bureau events) and create one demo login per role. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--suppliers", type=int, default=1500, help="Number of demo suppliers.")
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument(
            "--requests", type=int, default=600, help="Number of demo quote requests (0: none)."
        )

    def handle(self, *args, suppliers: int, seed: int, requests: int, **options):
        if not Commune.objects.exists():
            raise CommandError("No communes: run `manage.py load_reference_data` first.")
        existing = Supplier.objects.filter(external_id__startswith=f"demo-{seed}-").count()
        if existing != suppliers:
            demo_suppliers_generate(count=suppliers, seed=seed, replace=True, progress=True)
        users = {
            role: self._user(email, password, role, label)
            for email, password, role, label in DEMO_LOGINS
        }
        self._link_memberships(users)
        # After the memberships: the members' hotel and bureau receive some of the requests.
        if requests > 0:
            demo_requests_generate(count=requests, seed=seed, progress=True)
        # After the requests: the measured answer times exist, and the demo partner login gets
        # open evaluations in its territory.
        grids_load_defaults()
        demo_evaluations_generate(seed=seed, progress=True)
        # The CRM's contacts come from the demo requests and the bureau's demo actions; those
        # actions are protected by the demo events that link to them, which go first.
        demo_operations_remove()
        demo_crm_generate(seed=seed, progress=True)
        # After the CRM: the events link to its demo actions and meet its planners.
        demo_operations_generate(seed=seed, progress=True)
        # The plan (loaded by `load_plan`) carried on to this year, so its spend meets the events.
        for year in demo_plan_extend():
            self.stdout.write(f"Action plan: {year} added as a copy of {year - 1}")
        self.stdout.write(
            self.style.SUCCESS("\nDemo logins (log in at http://127.0.0.1:8000/connexion/):")
        )
        for email, password, _role, label in DEMO_LOGINS:
            self.stdout.write(f"  {label:40} {email:30} password: {password}")

    def _user(self, email: str, password: str, role: str, label: str) -> User:
        user = User.objects.filter(email=email).first()
        return user or user_create(email=email, password=password, role=role, full_name=label)

    def _link_memberships(self, users: dict[str, User]) -> None:
        hotel = (
            Supplier.objects.filter(
                external_id__startswith="demo-", category="hotel", status="published"
            )
            .order_by("-max_capacity", "pk")
            .first()
        )
        if hotel is not None and not users[Role.SUPPLIER].suppliers.exists():
            hotel.members.add(users[Role.SUPPLIER])
        bureau = Partner.objects.filter(kind="convention_bureau", name__icontains="Caen").first()
        if bureau is not None:
            bureau.members.add(users[Role.PARTNER])
