"""factory_boy factories for the models of micedesk; small and explicit, used by every test."""

from __future__ import annotations

import factory
from django.utils.text import slugify

from micedesk.accounts.models import Role, User
from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.services import supplier_refresh
from micedesk.directory.vocab import Category
from micedesk.geo.models import Commune, Department, Partner, PartnerKind, Region

# A few real communes of Normandy, with their INSEE codes and town-hall coordinates.
COMMUNES = {
    "14118": ("Caen", "14", ["14000"], 108200, 49.1829, -0.3707),
    "14220": ("Deauville", "14", ["14800"], 3300, 49.3571, 0.0673),
    "76540": ("Rouen", "76", ["76000", "76100"], 114083, 49.4431, 1.0993),
    "76351": ("Le Havre", "76", ["76600", "76610", "76620"], 165830, 49.4944, 0.1079),
    "61483": ("Bagnoles de l'Orne Normandie", "61", ["61140"], 2400, 48.5566, -0.4140),
    "50129": ("Cherbourg-en-Cotentin", "50", ["50100"], 78549, 49.6337, -1.6222),
    "27229": ("Évreux", "27", ["27000"], 46707, 49.0241, 1.1508),
    "14047": ("Bayeux", "14", ["14400"], 12800, 49.2764, -0.7024),
}
DEPARTMENTS = {"14": "Calvados", "27": "Eure", "50": "Manche", "61": "Orne", "76": "Seine-Maritime"}


def normandy() -> dict[str, Commune]:
    """The region, its five departments and a few communes; idempotent.

    Called for every supplier a factory makes: once they exist, one query finds them all."""
    known = Commune.objects.in_bulk(list(COMMUNES))
    if len(known) == len(COMMUNES):
        return {insee: known[insee] for insee in COMMUNES}
    # Inserted in bulk, leaving alone what exists (as get_or_create would): a few queries, not
    # one savepoint and two queries per row (the whole suite calls this for nearly every test).
    Region.objects.bulk_create([Region(code="28", name="Normandie")], ignore_conflicts=True)
    region = Region(code="28")
    Department.objects.bulk_create(
        [Department(code=code, name=name, region=region) for code, name in DEPARTMENTS.items()],
        ignore_conflicts=True,
    )
    Commune.objects.bulk_create(
        [
            Commune(
                insee_code=insee,
                name=name,
                slug=slugify(name),
                department_id=dep,
                postal_codes=postal,
                population=population,
                latitude=lat,
                longitude=lon,
            )
            for insee, (name, dep, postal, population, lat, lon) in COMMUNES.items()
            if insee not in known
        ],
        ignore_conflicts=True,
    )
    known = Commune.objects.in_bulk(list(COMMUNES))
    return {insee: known[insee] for insee in COMMUNES}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Test user {n}")
    role = Role.NONE
    password = factory.django.Password("password-for-tests")
    is_staff = factory.LazyAttribute(lambda user: user.role in (Role.STAFF, Role.ADMIN))
    is_superuser = factory.LazyAttribute(lambda user: user.role == Role.ADMIN)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Hôtel des Falaises {n}")
    slug = factory.Sequence(lambda n: f"hotel-des-falaises-{n}")
    category = Category.HOTEL
    kind = "venue"
    status = Status.PUBLISHED
    commune = factory.LazyFunction(lambda: normandy()["14118"])
    department_code = factory.LazyAttribute(lambda supplier: supplier.commune.department_id)
    bedrooms = 40
    description_fr = "Un hôtel avec vue sur la mer et des salles de séminaire lumineuses."
    description_en = "A hotel with a sea view and bright seminar rooms."

    @factory.post_generation
    def refresh(supplier, create, extracted, **kwargs):
        # `refresh=False`: the caller adds rooms at once, and their factory refreshes the supplier.
        if create and extracted is not False:
            supplier_refresh(supplier=supplier)


class MeetingRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingRoom
        skip_postgeneration_save = True

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    area_m2 = 120
    capacity_theatre = 100
    capacity_classroom = 60
    capacity_u_shape = 35
    projector = True
    wifi = True

    @factory.post_generation
    def refresh(room, create, extracted, **kwargs):
        if create:
            supplier_refresh(supplier=room.supplier)


def partner(
    name: str = "Caen Normandie Convention Bureau", communes: tuple[str, ...] = ("14118", "14047")
) -> Partner:
    normandy()
    # As get_or_create then `communes.set`, in fewer queries (most tests make this partner anew).
    item = Partner.objects.filter(name=name).first()
    if item is None:
        item = Partner.objects.create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            kind=PartnerKind.CONVENTION_BUREAU,
            department_id="14",
        )
        item.communes.add(*communes)
    else:
        item.communes.set(communes)
    return item
