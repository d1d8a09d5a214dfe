"""partner_set_territory: a partner's territory becomes exactly the communes given."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from micedesk.geo.models import Commune
from micedesk.geo.services import partner_set_territory
from tests import factories


def territory(partner) -> set[str]:
    return set(partner.communes.values_list("pk", flat=True))


@pytest.mark.django_db
class PartnerSetTerritoryTestCase:
    def test_it_replaces_the_territory_and_counts_the_changes(self, communes):
        partner = factories.partner()  # Caen and Bayeux
        changes = partner_set_territory(partner=partner, commune_codes=["14118", "14220"])
        assert territory(partner) == {"14118", "14220"}
        assert changes == {"added": 1, "removed": 1}

    def test_it_adds_every_commune_of_a_department(self, communes):
        partner = factories.partner(communes=())
        changes = partner_set_territory(partner=partner, department_codes=["76"])
        assert territory(partner) == set(
            Commune.objects.filter(department="76").values_list("pk", flat=True)
        )
        assert changes == {"added": 2, "removed": 0}

    def test_setting_the_same_territory_changes_nothing(self, communes):
        partner = factories.partner()
        changes = partner_set_territory(partner=partner, commune_codes=["14047", "14118"])
        assert changes == {"added": 0, "removed": 0}

    def test_it_refuses_an_unknown_commune_and_changes_nothing(self, communes):
        partner = factories.partner()
        with pytest.raises(ValidationError, match="99999"):
            partner_set_territory(partner=partner, commune_codes=["14118", "99999"])
        assert territory(partner) == {"14118", "14047"}

    def test_it_refuses_an_unknown_department_and_changes_nothing(self, communes):
        partner = factories.partner()
        with pytest.raises(ValidationError, match="99"):
            partner_set_territory(partner=partner, department_codes=["99"])
        assert territory(partner) == {"14118", "14047"}

    def test_an_empty_territory_empties_it(self, communes):
        partner = factories.partner()
        assert partner_set_territory(partner=partner) == {"added": 0, "removed": 2}
        assert territory(partner) == set()
