"""``/api/v1/dossiers/{code}/rating/``: POST once, GET, bilingual errors, scope."""

from __future__ import annotations

from rest_framework.test import APIClient

from caicach.ratings.tests.test_services import finished


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_post_then_get_then_a_second_answer_is_409(tree, officers, version):
    d = finished(tree, officers, version)
    url = f"/api/v1/dossiers/{d.code}/rating/"
    api = client_for(officers.receiver)
    assert api.get(url).status_code == 404  # not rated yet
    created = api.post(url, {"value": "satisfied", "factors": {"officer": 3}}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["source"] == "api" and created.json()["factors"] == {"officer": 3}
    assert api.get(url).json()["value"] == "satisfied"
    again = api.post(url, {"value": "not_satisfied"}, format="json")
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "already_rated" and body["detail"] and body["detail_vi"]


def test_bad_value_and_out_of_scope(tree, officers, version):
    d = finished(tree, officers, version)
    url = f"/api/v1/dossiers/{d.code}/rating/"
    bad = client_for(officers.receiver).post(url, {"value": "meh"}, format="json")
    assert bad.status_code == 400 and bad.json()["detail_vi"]
    other = client_for(officers.receiver_b).post(url, {"value": "satisfied"}, format="json")
    assert other.status_code == 404
