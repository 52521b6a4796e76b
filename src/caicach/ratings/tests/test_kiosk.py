"""The counter desk's rating tablet: opening the desk session, what it may rate, what it shows."""

from __future__ import annotations

import time
from datetime import date

import pytest
import time_machine
from django.core import signing

from caicach.accounts.models import RoleAssignment
from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import act, receive, vn
from caicach.ratings import kiosk
from caicach.ratings.models import Rating
from caicach.ratings.services import (
    AlreadyRatedError,
    NotAtDeskError,
    NotRateableError,
    desk_dossier,
    give_rating,
    waiting_at_desk,
)
from caicach.ratings.tests.test_services import finished

pytestmark = pytest.mark.django_db


def returned(tree, o, version):
    """A dossier received, decided and handed back today."""
    d = receive(o.receiver, version, tree.dept_a)
    d = act(o.receiver, d, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
    for user, action in [
        (o.processor, "accept"),
        (o.processor, "submit_for_approval"),
        (o.leader, "approve"),
        (o.processor, "mark_result_ready"),
        (o.receiver, "return_result"),
    ]:
        d = act(user, d, action)
    return d


def open_desk(client, officer, agency) -> None:
    client.force_login(officer)
    response = client.post("/quay/mo/", {"agency": agency.pk})
    assert response.status_code == 302 and response["Location"] == "/quay/danh-gia/"


# -- the service: which dossier the desk may have rated -----------------------------------------


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("returned", None),
        ("finished", None),
        ("open", NotRateableError),
        ("rated", AlreadyRatedError),
        ("other_desk", NotAtDeskError),
        ("unknown", NotAtDeskError),
        ("empty", NotAtDeskError),
    ],
)
def test_desk_dossier(tree, officers, version, case, error):
    if case == "open":
        with time_machine.travel(vn(2025, 6, 2, 9), tick=False):
            d = receive(officers.receiver, version, tree.dept_a)
    elif case == "returned":
        d = returned(tree, officers, version)
    else:
        d = finished(tree, officers, version)
    if case == "rated":
        give_rating(Actor(label="test"), d, value="satisfied", source="link")
    agency = tree.dept_b if case == "other_desk" else tree.dept_a
    code = {"unknown": "000.00.01.H97-250602-9999", "empty": ""}.get(case, d.code.lower())
    if error is None:
        assert desk_dossier(agency.pk, code) == d
    else:
        with pytest.raises(error) as caught:
            desk_dossier(agency.pk, code)
        assert caught.value.status == (404 if error is NotAtDeskError else 409)


def test_waiting_at_desk_lists_todays_unrated_returns(tree, officers, version):
    d1 = returned(tree, officers, version)
    d2 = returned(tree, officers, version)
    d3 = returned(tree, officers, version)
    finished(tree, officers, version)  # not handed back: not listed
    give_rating(Actor(label="test"), d1, value="satisfied", source="link")
    since = d2.returned_at.replace(hour=0, minute=0)
    assert waiting_at_desk(tree.dept_a.pk, since) == [d3, d2]
    assert waiting_at_desk(tree.dept_a.pk, since, limit=1) == [d3]
    assert waiting_at_desk(tree.dept_b.pk, since) == []
    # Received more than a year before: typed or scanned, not offered.
    Dossier.objects.filter(pk=d3.pk).update(received_on=date(2020, 1, 2))
    assert waiting_at_desk(tree.dept_a.pk, since) == [d2]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (" 000.00.01.h97-250602-0001 ", "000.00.01.H97-250602-0001"),
        ("https://x.vn/tra-cuu/000.00.01.H97-250602-0001?t=abc", "000.00.01.H97-250602-0001"),
        ("/danh-gia/000.00.01.H97-250602-0002?t=abc", "000.00.01.H97-250602-0002"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_scanned_link_gives_its_code(typed, code):
    assert kiosk.code_from(typed) == code


# -- the desk session -----------------------------------------------------------------------------


def test_opening_the_desk_ends_the_officers_sign_in(client, tree, officers):
    open_desk(client, officers.receiver, tree.dept_a)
    assert client.cookies[kiosk.COOKIE]["path"] == "/quay/"
    assert client.cookies[kiosk.COOKIE]["httponly"]
    # The tablet cannot reach the officers' pages any more.
    assert client.get("/ho-so/").status_code == 302
    assert client.get("/ho-so/")["Location"].startswith("/tai-khoan/dang-nhap/")
    assert client.get("/quay/danh-gia/").status_code == 200
    entry = AuditEntry.objects.filter(action="kiosk.opened").get()
    assert entry.actor == officers.receiver


def test_only_a_receiving_officer_opens_a_desk_of_their_agency(client, tree, officers):
    client.force_login(officers.processor)
    assert client.get("/quay/mo/").status_code == 403
    client.force_login(officers.receiver)
    page = client.get("/quay/mo/").content.decode()
    assert tree.dept_a.name in page and tree.dept_b.name not in page
    response = client.post("/quay/mo/", {"agency": tree.dept_b.pk})
    assert response.status_code == 200 and kiosk.COOKIE not in response.cookies


@pytest.mark.parametrize("how", ["none", "forged", "ended", "role_gone"])
def test_no_open_desk_shows_the_closed_screen(client, tree, officers, version, how):
    d = finished(tree, officers, version)
    if how == "forged":
        client.cookies[kiosk.COOKIE] = signing.dumps(
            {"a": tree.dept_a.pk, "u": officers.receiver.pk, "e": time.time() + 99}, salt="x"
        )
    elif how == "ended":
        client.cookies[kiosk.COOKIE] = signing.dumps(
            {"a": tree.dept_a.pk, "u": officers.receiver.pk, "e": time.time() - 1},
            salt=kiosk.SALT,
        )
    elif how == "role_gone":
        open_desk(client, officers.receiver, tree.dept_a)
        RoleAssignment.objects.filter(user=officers.receiver).delete()
    for response in (
        client.get("/quay/danh-gia/"),
        client.post("/quay/danh-gia/", {"ma": d.code}),
        client.post(f"/quay/danh-gia/{d.code}/", {"value": "satisfied"}),
    ):
        assert response.status_code == 403
        assert "Quầy chưa mở chế độ đánh giá" in response.content.decode()
    assert not Rating.objects.exists()


def test_closing_the_desk(client, tree, officers):
    open_desk(client, officers.receiver, tree.dept_a)
    response = client.post("/quay/dong/")
    assert response.status_code == 302 and response.cookies[kiosk.COOKIE].value == ""


# -- rating on the tablet ------------------------------------------------------------------------


def test_the_kiosk_rates_a_dossier_of_its_desk_once(client, tree, officers, version):
    d = returned(tree, officers, version)
    open_desk(client, officers.receiver, tree.dept_a)
    idle = client.get("/quay/danh-gia/").content.decode()
    assert d.code in idle  # handed back today, not rated: a button
    screen = client.post("/quay/danh-gia/", {"ma": d.code.lower()}).content.decode()
    assert d.code in screen and d.procedure_version.name in screen
    # Nothing about the applicant (Nghị định 13/2023).
    person = d.applicant
    for personal in (person.full_name, person.phone, person.id_number):
        if personal:
            assert personal not in screen and personal not in idle
    done = client.post(
        f"/quay/danh-gia/{d.code}/",
        {"value": "very_satisfied", "factor_officer": "3", "factor_access": ""},
        HTTP_HX_REQUEST="true",
    )
    page = done.content.decode()
    assert done.status_code == 200 and "Cảm ơn Quý ông/bà!" in page
    assert page.lstrip().startswith("<section")  # the block alone for htmx
    assert 'hx-trigger="load delay:6s"' in page
    rating = Rating.objects.get()
    assert (rating.dossier, rating.value, rating.source, rating.factors) == (
        d,
        "very_satisfied",
        "kiosk",
        {"officer": 3},
    )
    entry = AuditEntry.objects.filter(action="dossier.rated").get()
    assert entry.actor_label == f"kiosk:{tree.dept_a.code}:{officers.receiver.username}"
    again = client.post("/quay/danh-gia/", {"ma": d.code})
    assert again.status_code == 409
    assert "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần." in (
        again.content.decode()
    )
    twice = client.post(f"/quay/danh-gia/{d.code}/", {"value": "not_satisfied"})
    assert twice.status_code == 409 and Rating.objects.count() == 1


def test_the_kiosk_cannot_rate_another_desks_dossier(client, tree, officers, version):
    d = finished(tree, officers, version)
    open_desk(client, officers.receiver_b, tree.dept_b)
    for response in (
        client.post("/quay/danh-gia/", {"ma": d.code}),
        client.get(f"/quay/danh-gia/{d.code}/"),
        client.post(f"/quay/danh-gia/{d.code}/", {"value": "satisfied"}),
    ):
        assert response.status_code == 404
        assert "Không tìm thấy hồ sơ này tại quầy" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_bad_answer_stays_on_the_rating_screen(client, tree, officers, version):
    d = finished(tree, officers, version)
    open_desk(client, officers.receiver, tree.dept_a)
    response = client.post(f"/quay/danh-gia/{d.code}/", {"value": "great"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Hãy chọn một mức" in page and 'data-screen="rate"' in page
    assert not Rating.objects.exists()


def test_the_dossier_page_shows_the_rating(client, tree, officers, version):
    d = finished(tree, officers, version)
    client.force_login(officers.leader)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Người nộp chưa đánh giá" in page
    give_rating(Actor(label="t"), d, value="not_satisfied", source="kiosk", factors={"officer": 1})
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert 'id="rating-value"' in page and "Máy tính bảng tại quầy" in page
    assert "Công chức trực tiếp giải quyết" in page


@pytest.mark.xfail(
    strict=True,
    reason="Dossier scope gap (dossiers.scope.may_view): the unit leader warned of a 'not "
    "satisfied' rating cannot open the dossier once it went back to the department "
    "(current_agency is the department at result_ready). Reported to the lead.",
)
def test_the_warned_unit_leader_can_open_the_dossier(client, tree, officers, version, make_officer):
    leader = make_officer("unit_leader", tree.unit_a, username="tp_a", email="tp@example.vn")
    d = finished(tree, officers, version)
    give_rating(Actor(label="t"), d, value="not_satisfied", source="link")
    client.force_login(leader)
    assert client.get(f"/ho-so/{d.code}/").status_code == 200


def test_the_kiosk_in_english(client, tree, officers, version, settings):
    d = finished(tree, officers, version)
    give_rating(Actor(label="t"), d, value="satisfied", source="link")
    open_desk(client, officers.receiver, tree.dept_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Please rate our service" in client.get("/quay/danh-gia/").content.decode()
    again = client.post("/quay/danh-gia/", {"ma": d.code}).content.decode()
    assert "This dossier has already been rated. A dossier is rated once only." in again


def test_the_idle_screen_costs_a_few_queries(
    client, tree, officers, version, django_assert_max_num_queries
):
    for _ in range(3):
        returned(tree, officers, version)
    open_desk(client, officers.receiver, tree.dept_a)
    # desk: agency, officer, roles; the buttons: one query; the session's none (signed out).
    with django_assert_max_num_queries(5):
        page = client.get("/quay/danh-gia/").content.decode()
    assert page.count('class="kiosk-pick"') == 3


def test_without_javascript_the_thank_you_page_goes_back_by_itself(client, tree, officers, version):
    d = returned(tree, officers, version)
    open_desk(client, officers.receiver, tree.dept_a)
    page = client.post(f"/quay/danh-gia/{d.code}/", {"value": "satisfied"}).content.decode()
    assert '<meta http-equiv="refresh" content="8;url=/quay/danh-gia/">' in page
