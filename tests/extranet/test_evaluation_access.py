"""Who may reach the evaluation screens: anonymous visitors go to the login page; outsiders, staff
without a membership, supplier members and evaluators of another territory are refused, and
nothing changes when they try to write."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.accounts.models import Role
from micedesk.qualification.models import Answer, Contest, EvaluationEvent, EvidenceFile
from tests import factories
from tests.qualification import builders


@pytest.fixture
def evaluation(people):
    return builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


@pytest.fixture
def far_evaluator(people):
    """A member of the Rouen bureau: the hotel in Caen is outside its territory."""
    user = factories.UserFactory(email="cb@rouen.example", role=Role.PARTNER)
    factories.partner(name="Rouen Convention Bureau", communes=("76540",)).members.add(user)
    return user


@pytest.fixture
def colleague(people):
    """Another member of the Caen bureau, not the evaluator of the hotel."""
    user = factories.UserFactory(email="colleague@caen.example", role=Role.PARTNER)
    people.partner_org.members.add(user)
    return user


def evaluator_urls(evaluation) -> list[tuple[str, str]]:
    pk = evaluation.pk
    evidence = EvidenceFile.objects.filter(evaluation=evaluation).first()
    urls = [
        ("get", reverse("extranet:evaluations")),
        ("get", reverse("extranet:evaluation", kwargs={"pk": pk})),
        ("post", reverse("extranet:evaluation_save", kwargs={"pk": pk})),
        ("post", reverse("extranet:evaluation_overall_save", kwargs={"pk": pk})),
        (
            "post",
            reverse("extranet:evaluation_criterion_save", kwargs={"pk": pk, "code": "wifi_mbps"}),
        ),
        (
            "post",
            reverse("extranet:evaluation_evidence_add", kwargs={"pk": pk, "code": "daylight"}),
        ),
        ("get", reverse("extranet:evaluation_submit", kwargs={"pk": pk})),
        ("post", reverse("extranet:evaluation_submit", kwargs={"pk": pk})),
    ]
    if evidence:
        urls.append(
            (
                "post",
                reverse(
                    "extranet:evaluation_evidence_delete",
                    kwargs={"pk": pk, "evidence_pk": evidence.pk},
                ),
            )
        )
    return urls


WRITES = {
    "c-wifi_mbps-value": "10",
    "c-named_contact-value": "no",
    "overall-comment": "Intrusion",
    "e-daylight-file": "",
}


def nothing_changed(evaluation, answers_before, events_before) -> bool:
    evaluation.refresh_from_db()
    return (
        list(Answer.objects.filter(evaluation=evaluation).values_list("pk", "value_number"))
        == answers_before
        and EvaluationEvent.objects.filter(evaluation=evaluation).count() == events_before
        and evaluation.comment != "Intrusion"
    )


class EvaluatorScreensAccessTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, evaluation):
        for method, url in evaluator_urls(evaluation):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("portal:login")), url

    @pytest.mark.parametrize("who", ["outsider", "staff", "admin", "supplier", "other_supplier"])
    def test_it_refuses_anyone_who_is_not_a_partner_member(self, client, people, evaluation, who):
        builders.evaluation_filled(evaluation)
        answers = list(
            Answer.objects.filter(evaluation=evaluation).values_list("pk", "value_number")
        )
        events = EvaluationEvent.objects.filter(evaluation=evaluation).count()
        client.force_login(getattr(people, who))
        for method, url in evaluator_urls(evaluation):
            response = getattr(client, method)(url, WRITES) if method == "post" else client.get(url)
            assert response.status_code == 403, (who, url)
        assert nothing_changed(evaluation, answers, events)

    def test_it_hides_the_evaluation_from_an_evaluator_of_another_territory(
        self, client, evaluation, far_evaluator
    ):
        builders.evaluation_filled(evaluation)
        answers = list(
            Answer.objects.filter(evaluation=evaluation).values_list("pk", "value_number")
        )
        events = EvaluationEvent.objects.filter(evaluation=evaluation).count()
        client.force_login(far_evaluator)
        listing = client.get(reverse("extranet:evaluations"))
        assert listing.status_code == 200
        assert f'data-evaluation="{evaluation.pk}"' not in listing.content.decode()
        for method, url in evaluator_urls(evaluation)[1:]:
            response = getattr(client, method)(url, WRITES) if method == "post" else client.get(url)
            assert response.status_code == 404, url
        assert nothing_changed(evaluation, answers, events)

    def test_a_colleague_sees_it_listed_but_cannot_open_or_change_it(
        self, client, evaluation, colleague
    ):
        client.force_login(colleague)
        listing = client.get(reverse("extranet:evaluations"))
        assert f'data-evaluation="{evaluation.pk}"' in listing.content.decode()
        for method, url in evaluator_urls(evaluation)[1:]:
            response = getattr(client, method)(url, WRITES) if method == "post" else client.get(url)
            assert response.status_code == 404, url
        assert not Answer.objects.filter(evaluation=evaluation).exists()


class SupplierScreensAccessTestCase:
    @pytest.fixture
    def published(self, people):
        return builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )

    def urls(self, evaluation) -> list[tuple[str, str]]:
        return [
            ("get", reverse("extranet:my_qualification")),
            ("get", reverse("extranet:my_evaluation", kwargs={"pk": evaluation.pk})),
            ("post", reverse("extranet:evaluation_contest", kwargs={"pk": evaluation.pk})),
        ]

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, published):
        for method, url in self.urls(published):
            response = getattr(client, method)(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize("who", ["outsider", "staff", "partner"])
    def test_it_refuses_anyone_who_is_not_a_supplier_member(self, client, people, published, who):
        client.force_login(getattr(people, who))
        for method, url in self.urls(published):
            response = getattr(client, method)(url, {"comment": "Non"})
            assert response.status_code == 403, (who, url)
        assert not Contest.objects.exists()

    def test_it_hides_the_evaluation_of_another_supplier(self, client, people, published):
        client.force_login(people.other_supplier)
        for method, url in self.urls(published)[1:]:
            response = getattr(client, method)(url, {"comment": "Non"})
            assert response.status_code == 404, url
        assert not Contest.objects.exists()


class EvidenceDownloadAccessTestCase:
    @pytest.fixture
    def evidence(self, evaluation):
        builders.evaluation_filled(evaluation)
        return EvidenceFile.objects.get(evaluation=evaluation)

    def url(self, evidence) -> str:
        return reverse("extranet:evaluation_evidence", kwargs={"pk": evidence.pk})

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, evidence):
        response = client.get(self.url(evidence))
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize("who", ["partner", "staff"])
    def test_the_evaluator_and_staff_download_it(self, client, people, evidence, who):
        client.force_login(getattr(people, who))
        response = client.get(self.url(evidence))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == evidence.file.open("rb").read()

    @pytest.mark.parametrize("who", ["outsider", "supplier", "other_supplier"])
    def test_it_is_hidden_from_others_while_unpublished(self, client, people, evidence, who):
        client.force_login(getattr(people, who))
        assert client.get(self.url(evidence)).status_code == 404

    def test_it_is_hidden_from_an_evaluator_of_another_territory(
        self, client, evidence, far_evaluator
    ):
        client.force_login(far_evaluator)
        assert client.get(self.url(evidence)).status_code == 404

    def test_the_members_of_the_supplier_download_it_once_published(self, client, people):
        published = builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        evidence = EvidenceFile.objects.get(evaluation=published)
        client.force_login(people.supplier)
        assert client.get(self.url(evidence)).status_code == 200
        client.force_login(people.other_supplier)
        assert client.get(self.url(evidence)).status_code == 404
