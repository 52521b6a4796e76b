"""The public rating page (receipt link) and the look-up's rating block."""

from __future__ import annotations

from caicach.ratings.models import Rating
from caicach.ratings.tests.test_services import finished


def test_the_receipt_link_rates_once(client, tree, officers, version):
    d = finished(tree, officers, version)
    url = f"/danh-gia/{d.code}"
    page = client.get(url, {"t": d.lookup_token})
    assert page.status_code == 200 and "Rất hài lòng" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    done = client.post(
        url,
        {"t": d.lookup_token, "value": "not_satisfied", "factor_officer": "1", "comment": "Chậm"},
    )
    assert done.status_code == 200 and "Cảm ơn" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.source, rating.factors, rating.comment) == ("link", {"officer": 1}, "Chậm")
    again = client.post(url, {"t": d.lookup_token, "value": "satisfied"})
    assert again.status_code == 409 and "một lần" in again.content.decode()


def test_a_wrong_token_is_not_found(client, tree, officers, version):
    d = finished(tree, officers, version)
    assert client.get(f"/danh-gia/{d.code}", {"t": "x" * 24}).status_code == 404
    assert client.post(f"/danh-gia/{d.code}", {"t": "", "value": "satisfied"}).status_code == 404
    assert not Rating.objects.exists()


def test_the_lookup_shows_the_form_once_finished(client, tree, officers, version):
    d = finished(tree, officers, version)
    page = client.get(f"/tra-cuu/{d.code}", {"t": d.lookup_token}).content.decode()
    assert 'id="danh-gia"' in page and 'value="tra-cuu"' in page
    client.post(
        f"/danh-gia/{d.code}", {"t": d.lookup_token, "nguon": "tra-cuu", "value": "satisfied"}
    )
    assert Rating.objects.get().source == "lookup"
    page = client.get(f"/tra-cuu/{d.code}", {"t": d.lookup_token}).content.decode()
    assert "Cảm ơn Quý ông/bà đã đánh giá" in page


def test_the_receipt_says_how_to_rate(tree, officers, version):
    from caicach.dossiers.documents import render_form_html

    d = finished(tree, officers, version)
    assert "đánh giá mức độ hài lòng" in render_form_html(d, "receipt")
    assert "đánh giá mức độ hài lòng" not in render_form_html(d, "control_sheet")
