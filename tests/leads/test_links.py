"""The planner's private link: signed, expiring, refused when forged; and the acknowledgement mail."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core import signing

from micedesk.leads.links import (
    SALT,
    ExpiredLink,
    ForgedLink,
    InvalidLink,
    quote_request_acknowledge,
    quote_request_from_token,
    quote_request_link,
    quote_request_token,
)
from micedesk.leads.models import QuoteRequest
from tests.leads.builders import quote_request

DAY = 24 * 3600


class PastSigner(signing.TimestampSigner):
    """Signs as this site does, with a timestamp `age_days` in the past: an old link, really signed."""

    def __init__(self, age_days: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.age_days = age_days

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time() - self.age_days * DAY))


def old_token(request: QuoteRequest, age_days: float) -> str:
    signer = PastSigner(age_days, salt=SALT)
    return signer.sign_object([request.pk, request.reference], compress=True)


def token_of(path: str) -> str:
    match = re.fullmatch(r"/demandes/suivi/([^/]+)/", path)
    assert match, path
    return match.group(1)


@pytest.mark.django_db
class QuoteRequestLinkTestCase:
    def test_it_is_a_path_under_the_follow_up_page(self, communes):
        request = quote_request()
        assert re.fullmatch(r"/demandes/suivi/[\w.:-]+/", quote_request_link(quote_request=request))

    def test_its_token_opens_the_request(self, communes):
        request = quote_request()
        token = token_of(quote_request_link(quote_request=request))
        assert quote_request_from_token(token=token) == request

    def test_two_requests_get_different_links(self, communes):
        first, second = quote_request(), quote_request()
        assert quote_request_link(quote_request=first) != quote_request_link(quote_request=second)

    def test_a_link_younger_than_the_maximum_age_opens(self, communes, settings):
        settings.LEADS_LINK_MAX_AGE_DAYS = 10
        request = quote_request()
        assert quote_request_from_token(token=old_token(request, 9)) == request

    def test_it_opens_for_180_days_by_default(self, communes):
        request = quote_request()
        assert quote_request_from_token(token=old_token(request, 179)) == request


@pytest.mark.django_db
class QuoteRequestFromTokenRefusalsTestCase:
    def test_it_refuses_an_expired_link_by_default_after_180_days(self, communes):
        request = quote_request()
        with pytest.raises(ExpiredLink, match="expired"):
            quote_request_from_token(token=old_token(request, 181))

    def test_it_refuses_a_link_older_than_the_setting(self, communes, settings):
        settings.LEADS_LINK_MAX_AGE_DAYS = 10
        request = quote_request()
        with pytest.raises(ExpiredLink):
            quote_request_from_token(token=old_token(request, 11))

    def test_it_refuses_a_token_with_one_character_changed(self, communes):
        request = quote_request()
        token = quote_request_token(quote_request=request)
        changed = token[:-1] + ("A" if token[-1] != "A" else "B")
        with pytest.raises(ForgedLink, match="not valid"):
            quote_request_from_token(token=changed)

    def test_it_refuses_a_token_naming_another_request_with_the_old_signature(self, communes):
        request, other = quote_request(), quote_request()
        _payload, stamp, signature = quote_request_token(quote_request=request).rsplit(":", 2)
        other_payload = quote_request_token(quote_request=other).rsplit(":", 2)[0]
        with pytest.raises(ForgedLink):
            quote_request_from_token(token=":".join([other_payload, stamp, signature]))

    def test_it_refuses_a_token_signed_for_another_purpose(self, communes):
        request = quote_request()
        token = signing.dumps([request.pk, request.reference], salt="another.purpose")
        with pytest.raises(ForgedLink):
            quote_request_from_token(token=token)

    def test_it_refuses_a_token_signed_with_another_key(self, communes):
        request = quote_request()
        token = signing.dumps([request.pk, request.reference], key="not-this-site", salt=SALT)
        with pytest.raises(ForgedLink):
            quote_request_from_token(token=token)

    @pytest.mark.parametrize("token", ["", "abc", "a:b:c", "1", "../../admin"])
    def test_it_refuses_garbage(self, communes, token):
        with pytest.raises(ForgedLink):
            quote_request_from_token(token=token)

    def test_it_refuses_a_signed_token_of_another_shape(self, communes):
        token = signing.dumps({"id": 1}, salt=SALT)
        with pytest.raises(ForgedLink):
            quote_request_from_token(token=token)

    def test_it_refuses_the_link_of_a_deleted_request(self, communes):
        request = quote_request()
        token = quote_request_token(quote_request=request)
        request.delete()
        with pytest.raises(InvalidLink, match="no longer exists") as refused:
            quote_request_from_token(token=token)
        assert not isinstance(refused.value, ForgedLink | ExpiredLink)

    def test_it_refuses_a_link_whose_reference_no_longer_matches(self, communes):
        request = quote_request()
        token = quote_request_token(quote_request=request)
        QuoteRequest.objects.filter(pk=request.pk).update(reference="DTREPLACED")
        with pytest.raises(InvalidLink):
            quote_request_from_token(token=token)

    def test_every_refusal_says_why(self, communes):
        request = quote_request()
        for token in ("garbage", old_token(request, 400)):
            with pytest.raises(InvalidLink) as refused:
                quote_request_from_token(token=token)
            assert len(str(refused.value)) > 20


@pytest.mark.django_db
class QuoteRequestAcknowledgeTestCase:
    def test_the_planner_gets_one_mail_with_the_reference_and_the_link(
        self, communes, smtp_server, settings
    ):
        settings.SITE_URL = "https://meetings.example"
        request = quote_request(language="en", participants=85, days=3)
        quote_request_acknowledge(quote_request=request)
        assert len(smtp_server.messages) == 1
        mail = smtp_server.messages[0]
        assert mail.recipients == ["planner@company.example"]
        assert request.reference in mail.subject
        assert request.reference in mail.body
        assert "85" in mail.body and "Seminar" in mail.body
        link = re.search(r"https://meetings\.example(/demandes/suivi/\S+/)", mail.body)
        assert link, mail.body
        assert quote_request_from_token(token=token_of(link.group(1))) == request

    def test_it_is_written_in_the_planners_language(self, communes, smtp_server):
        """Dates are the sign that needs no catalogue: 12 March is 03/12 in English, 12/03 in French."""
        day = datetime.date(2030, 3, 12)
        quote_request_acknowledge(quote_request=quote_request(language="en", start_date=day))
        quote_request_acknowledge(quote_request=quote_request(language="fr", start_date=day))
        english, french = smtp_server.messages
        assert "03/12/2030" in english.body
        assert "12/03/2030" in french.body

    def test_it_says_whether_the_details_are_shared(self, communes, smtp_server):
        quote_request_acknowledge(quote_request=quote_request(language="en", consent_share=True))
        quote_request_acknowledge(quote_request=quote_request(language="en", consent_share=False))
        shared, kept = smtp_server.messages
        assert "will see your contact details" in shared.body
        assert "did not agree to share" in kept.body

    def test_it_gives_the_dates_and_the_place(self, communes, smtp_server):
        request = quote_request(
            language="en",
            start_date=datetime.date(2030, 3, 12),
            end_date=datetime.date(2030, 3, 13),
            commune=communes["14118"],
            radius_km=20,
        )
        quote_request_acknowledge(quote_request=request)
        body = smtp_server.messages[0].body
        assert "Caen" in body and "20 km" in body
        assert "03/12/2030" in body and "03/13/2030" in body

    def test_a_mail_server_failure_is_raised_for_the_caller_to_retry(self, communes, smtp_server):
        smtp_server.stop()
        with pytest.raises(OSError):
            quote_request_acknowledge(quote_request=quote_request())
