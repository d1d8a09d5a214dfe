"""API keys: a key sees what its user's role sees; a bad, revoked or misplaced one is refused."""

from __future__ import annotations

import pytest

from micedesk.accounts.models import ApiKey
from micedesk.accounts.services import api_key_create, api_key_revoke
from tests.api.conftest import names
from tests.conftest import PASSWORD

SEARCH = "/api/v1/suppliers"
PUBLISHED = [
    "Château de Brécourt",
    "Château de la Forêt",
    "Grand Hôtel de la Mer",
    "Hôtel de la Plage",
    "Traiteur Normand",
]


def detail(supplier) -> str:
    return f"/api/v1/suppliers/{supplier.pk}"


class ApiAuthenticationTestCase:
    def test_staff_keys_see_every_draft(self, api, directory, keys):
        assert names(api.get(SEARCH, key=keys.staff)) == sorted(
            [*PUBLISHED, "Annexe Brouillon", "Pavillon Secret"]
        )
        for draft in (directory.hotel_draft, directory.other_draft):
            response = api.get(detail(draft), key=keys.staff)
            assert response.status_code == 200 and response.json()["status"] == "draft"

    def test_a_supplier_members_key_sees_its_own_drafts_only(self, api, directory, keys):
        assert names(api.get(SEARCH, key=keys.supplier)) == sorted([*PUBLISHED, "Annexe Brouillon"])
        assert api.get(detail(directory.hotel_draft), key=keys.supplier).status_code == 200
        assert api.get(detail(directory.other_draft), key=keys.supplier).status_code == 404

    def test_a_competitors_key_never_sees_another_suppliers_draft(self, api, directory, keys):
        assert "Annexe Brouillon" not in names(api.get(SEARCH, key=keys.other_supplier))
        assert api.get(detail(directory.hotel_draft), key=keys.other_supplier).status_code == 404
        found = api.get(SEARCH, {"q": "annexe brouillon"}, key=keys.other_supplier)
        assert found.json()["count"] == 0

    @pytest.mark.parametrize("caller", ["partner", "outsider"])
    def test_keys_of_other_roles_see_published_listings_only(self, api, directory, keys, caller):
        assert names(api.get(SEARCH, key=getattr(keys, caller))) == PUBLISHED
        assert api.get(detail(directory.hotel_draft), key=getattr(keys, caller)).status_code == 404

    def test_the_public_never_sees_drafts(self, api, directory):
        assert names(api.get(SEARCH)) == PUBLISHED
        assert api.get(SEARCH, {"q": "brouillon"}).json()["count"] == 0
        for draft in (directory.hotel_draft, directory.other_draft):
            assert api.get(detail(draft)).status_code == 404

    def test_draft_counts_never_leak_through_facets(self, api, directory):
        facets = api.get(SEARCH).json()["facets"]
        assert sum(value["count"] for value in facets["kind"]) == len(PUBLISHED)

    def test_a_session_cookie_gives_no_access(self, api, client, directory, people):
        assert client.login(email=people.staff.email, password=PASSWORD)
        assert names(api.get(SEARCH)) == PUBLISHED
        assert api.get(detail(directory.hotel_draft)).status_code == 404

    def test_a_revoked_key_is_refused(self, api, directory, people):
        key, secret = api_key_create(user=people.staff)
        api_key_revoke(key=key)
        assert_refused(api.get(SEARCH, key=secret))
        assert_refused(api.get(detail(directory.hotel), key=secret))

    def test_the_key_of_a_deactivated_user_is_refused(self, api, directory, people, keys):
        people.staff.is_active = False
        people.staff.save()
        assert_refused(api.get(SEARCH, key=keys.staff))

    @pytest.mark.parametrize(
        "garbage",
        [
            "",
            "nonsense",
            "mk_",
            "mk_00000000_" + "a" * 43,
            "mk_zzzz_secret",
            "mk_0000\x00_secret",
            "mk_abcd_é",
            "x" * 5000,
        ],
    )
    def test_a_garbage_key_is_refused(self, api, directory, garbage):
        assert_refused(api.get(SEARCH, key=garbage))

    def test_a_forged_key_with_a_real_prefix_is_refused(self, api, directory, keys):
        assert_refused(api.get(SEARCH, key=keys.staff[:-3] + "abc"))

    @pytest.mark.parametrize("header", ["Basic c3RhZmY6cGFzcw==", "Token abc", "mk_abc_def"])
    def test_another_scheme_is_refused_not_treated_as_anonymous(self, api, directory, header):
        assert_refused(api.get(SEARCH, authorization=header))

    def test_a_refusal_explains_itself(self, api, directory, people):
        key, secret = api_key_create(user=people.staff)
        api_key_revoke(key=key)
        [error] = api.get(SEARCH, key=secret).json()["detail"]
        assert error["type"] == "invalid_api_key" and "révoquée" in error["msg"]

    def test_a_key_records_when_it_was_last_used(self, api, directory, people):
        key, secret = api_key_create(user=people.supplier)
        api.get(SEARCH, key=secret)
        assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


def assert_refused(response) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    [error] = response.json()["detail"]
    assert error["loc"] == ["header", "Authorization"] and error["msg"]
