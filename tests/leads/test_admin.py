"""The leads pages of the Django admin: staff read requests and dispatches and set routing
policies; nobody changes a request or a dispatch there; everyone else is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.leads.models import DispatchStatus, RoutingPolicy
from tests.leads.builders import dispatch, quote_request

CHANGELISTS = ["quoterequest", "dispatch", "routingpolicy"]


def changelist(model: str) -> str:
    return reverse(f"admin:leads_{model}_changelist")


@pytest.fixture
def routed(people):
    request = quote_request(commune=people.hotel.commune, organisation="Client laboratories")
    dispatch(request, supplier=people.hotel, status=DispatchStatus.VIEWED)
    dispatch(request, partner=people.partner_org)
    return request


class LeadsAdminTestCase:
    @pytest.mark.parametrize("model", CHANGELISTS)
    @pytest.mark.parametrize("who", ["staff", "admin"])
    def test_bureau_staff_and_admins_see_the_lists(self, client, people, routed, model, who):
        client.force_login(getattr(people, who))
        assert client.get(changelist(model)).status_code == 200

    @pytest.mark.parametrize("model", CHANGELISTS)
    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_everyone_else_is_sent_to_the_login_page(self, client, people, routed, model, who):
        client.force_login(getattr(people, who))
        response = client.get(changelist(model))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_a_request_shows_its_dispatches_read_only(self, client, people, routed):
        client.force_login(people.staff)
        response = client.get(reverse("admin:leads_quoterequest_change", args=[routed.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert routed.reference in page
        assert "Hôtel de la Plage" in page and people.partner_org.name in page
        assert 'name="_save"' not in page

    def test_a_request_cannot_be_added_or_changed_in_the_admin(self, client, people, routed):
        client.force_login(people.admin)
        assert client.get(reverse("admin:leads_quoterequest_add")).status_code == 403
        url = reverse("admin:leads_quoterequest_change", args=[routed.pk])
        client.post(url, {"organisation": "Changed"})
        routed.refresh_from_db()
        assert routed.organisation == "Client laboratories"

    def test_the_request_list_filters_and_searches(self, client, people, routed):
        quote_request(organisation="Someone else", status="quarantined")
        client.force_login(people.staff)
        found = client.get(changelist("quoterequest"), {"q": "laboratories"}).context["cl"]
        assert list(found.result_list) == [routed]
        spam = client.get(changelist("quoterequest"), {"status__exact": "quarantined"})
        assert [r.organisation for r in spam.context["cl"].result_list] == ["Someone else"]

    def test_the_dispatch_list_says_which_are_late(self, client, people, routed):
        client.force_login(people.staff)
        response = client.get(changelist("dispatch"))
        rows = response.context["cl"].result_list
        assert sorted(d.is_late for d in rows) == [False, False]

    def test_staff_set_a_routing_policy(self, client, people, communes):
        client.force_login(people.staff)
        response = client.post(
            reverse("admin:leads_routingpolicy_add"),
            {"department": "14", "event_kind": "congres", "mode": "partner", "best_count": "3"},
        )
        assert response.status_code == 302
        policy = RoutingPolicy.objects.get()
        assert (policy.department_id, policy.mode, policy.best_count) == ("14", "partner", 3)

    def test_a_routing_policy_refuses_a_count_out_of_range(self, client, people, communes):
        client.force_login(people.staff)
        response = client.post(
            reverse("admin:leads_routingpolicy_add"),
            {"department": "14", "event_kind": "", "mode": "direct", "best_count": "0"},
        )
        assert response.status_code == 200
        assert not RoutingPolicy.objects.exists()

    def test_a_supplier_member_cannot_set_a_routing_policy(self, client, people, communes):
        client.force_login(people.supplier)
        client.post(
            reverse("admin:leads_routingpolicy_add"),
            {"department": "14", "event_kind": "", "mode": "direct", "best_count": "5"},
        )
        assert not RoutingPolicy.objects.exists()
