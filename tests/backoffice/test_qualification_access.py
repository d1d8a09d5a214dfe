"""Every qualification screen of the back-office: anonymous visitors go to the login page, and
suppliers, partners and outsiders are refused, whatever the method."""

from __future__ import annotations

import pytest
from django.urls import reverse

NOT_STAFF = ["supplier", "other_supplier", "partner", "outsider"]
# (url name, kwargs, method): POST-only actions are tried with POST, pages with GET.
SCREENS = [
    ("qualification", {}, "get"),
    ("qualification_draft_new", {"pk": 1}, "post"),
    ("qualification_compare", {"pk": 1}, "get"),
    ("qualification_version", {"pk": 1}, "get"),
    ("qualification_criterion_new", {"pk": 1}, "get"),
    ("qualification_criterion_new", {"pk": 1}, "post"),
    ("qualification_criterion", {"pk": 1}, "get"),
    ("qualification_criterion", {"pk": 1}, "post"),
    ("qualification_criterion_delete", {"pk": 1}, "post"),
    ("qualification_levels", {"pk": 1}, "get"),
    ("qualification_levels", {"pk": 1}, "post"),
    ("qualification_simulate", {"pk": 1}, "get"),
    ("qualification_activate", {"pk": 1}, "get"),
    ("qualification_activate", {"pk": 1}, "post"),
    ("qualification_assign", {}, "get"),
    ("qualification_assign", {}, "post"),
    ("qualification_evaluations", {}, "get"),
    ("qualification_evaluation", {"pk": 1}, "get"),
    ("qualification_publish", {"pk": 1}, "post"),
    ("qualification_return", {"pk": 1}, "post"),
    ("qualification_cancel", {"pk": 1}, "post"),
    ("qualification_evidence", {"pk": 1}, "get"),
    ("qualification_contests", {}, "get"),
    ("qualification_contest", {"pk": 1}, "get"),
    ("qualification_contest", {"pk": 1}, "post"),
    ("qualification_figures", {}, "get"),
    ("qualification_figures_export", {}, "get"),
]
IDS = [f"{method} {name}" for name, _kwargs, method in SCREENS]


def url(name: str, kwargs: dict) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs)


class QualificationAccessTestCase:
    @pytest.mark.parametrize(("name", "kwargs", "method"), SCREENS, ids=IDS)
    def test_it_sends_anonymous_visitors_to_the_login_page(
        self, client, people, name, kwargs, method
    ):
        response = getattr(client, method)(url(name, kwargs))
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize("who", NOT_STAFF)
    @pytest.mark.parametrize(("name", "kwargs", "method"), SCREENS, ids=IDS)
    def test_it_refuses_everyone_but_staff(self, client, people, who, name, kwargs, method):
        client.force_login(getattr(people, who))
        response = getattr(client, method)(url(name, kwargs))
        assert response.status_code == 403

    @pytest.mark.parametrize(
        ("name", "kwargs", "method"),
        [s for s in SCREENS if s[1]],
        ids=[i for s, i in zip(SCREENS, IDS, strict=True) if s[1]],
    )
    def test_it_answers_404_to_staff_for_what_does_not_exist(
        self, client, people, name, kwargs, method
    ):
        client.force_login(people.staff)
        response = getattr(client, method)(url(name, {"pk": 999999}))
        assert response.status_code == 404
