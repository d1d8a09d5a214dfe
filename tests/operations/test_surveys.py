"""Partner surveys: sent once per participant of a closed event through a real SMTP server,
with a private link that reads back and takes one answer."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from micedesk.operations import services
from micedesk.operations.models import EventStatus, PartnerSurvey
from micedesk.operations.tasks import surveys_send_closed_yesterday
from tests.operations import builders

pytestmark = pytest.mark.django_db


def closed_event_with_two_participants(people):
    event = builders.event(status=EventStatus.CLOSED, name="Workshop Lyon")
    people.hotel.email = "sales@hotel.example"
    people.hotel.save()
    builders.participant(event, supplier=people.hotel)
    builders.participant(event, partner=people.partner_org)  # no address: its member's
    return event


class SurveysSendTestCase:
    def test_it_mails_each_participant_once_with_a_private_link(self, people, smtp_server):
        event = closed_event_with_two_participants(people)
        assert services.surveys_send(event=event, user=people.staff) == 2
        assert services.surveys_send(event=event, user=people.staff) == 0
        assert sorted(m.recipients[0] for m in smtp_server.messages) == [
            "cb@caen.example",
            "sales@hotel.example",
        ]
        mail = next(m for m in smtp_server.messages if m.recipients == ["sales@hotel.example"])
        survey = PartnerSurvey.objects.get(email="sales@hotel.example")
        token = services.survey_token(survey=survey)
        assert token in mail.body
        assert services.survey_read(token) == survey
        assert "Workshop Lyon" in mail.subject

    def test_it_sends_again_after_a_mail_server_outage(self, people, smtp_server):
        event = closed_event_with_two_participants(people)
        smtp_server.stop()
        assert services.surveys_send(event=event, user=people.staff) == 0
        assert PartnerSurvey.objects.filter(sent_at__isnull=True).count() == 2
        smtp_server.start()
        assert services.surveys_send(event=event, user=people.staff) == 2
        assert len(smtp_server.messages) == 2

    def test_it_refuses_an_event_not_closed_and_members(self, people, smtp_server):
        event = builders.event(status=EventStatus.HELD)
        builders.participant(event, supplier=people.hotel)
        with pytest.raises(ValidationError):
            services.surveys_send(event=event, user=people.staff)
        with pytest.raises(PermissionDenied):
            services.surveys_send(event=event, user=people.partner)
        assert not PartnerSurvey.objects.exists() and not smtp_server.messages

    def test_the_task_sends_those_of_events_closed_yesterday(self, people, smtp_server):
        import datetime

        from django.utils import timezone

        event = closed_event_with_two_participants(people)
        event.closed_at = timezone.now() - datetime.timedelta(days=1)
        event.save()
        assert surveys_send_closed_yesterday.call() == {"events": 1, "sent": 2}


class SurveyAnswerTestCase:
    def survey(self, people):
        event = builders.event(status=EventStatus.CLOSED)
        part = builders.participant(event, supplier=people.hotel)
        return PartnerSurvey.objects.create(event=event, participant=part, email="a@b.example")

    def test_it_takes_one_answer(self, people):
        survey = self.survey(people)
        services.survey_answer(survey=survey, score=8, would_return=True, improve="More planners")
        assert survey.score == 8 and survey.answered_at is not None
        with pytest.raises(ValidationError):
            services.survey_answer(survey=survey, score=2, would_return=False)
        survey.refresh_from_db()
        assert survey.score == 8

    def test_it_refuses_scores_outside_zero_to_ten(self, people):
        survey = self.survey(people)
        for bad in (-1, 11, "x", None):
            with pytest.raises(ValidationError):
                services.survey_answer(survey=survey, score=bad, would_return=None)
        survey.refresh_from_db()
        assert survey.answered_at is None

    def test_it_refuses_an_altered_or_unknown_token(self, people):
        survey = self.survey(people)
        token = services.survey_token(survey=survey)
        for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense", ""):
            with pytest.raises(services.BadSurveyToken):
                services.survey_read(bad)
        survey.delete()
        with pytest.raises(services.BadSurveyToken):
            services.survey_read(token)
