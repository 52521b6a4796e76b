"""Results at "result ready", the applicant's document store, reuse at intake, and the
per-tier digitisation, on hand-built cases."""

from __future__ import annotations

import pytest
import time_machine

from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.dossiers import services
from caicach.dossiers.models import Dossier, DossierResult, StoredDocument
from caicach.dossiers.tests.factories import ORGANISATION, PERSON, act, receive, vn

PDF = b"%PDF-1.4\n% result\n%%EOF\n"


def ready(tree, o, version, **kwargs):
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        d = receive(o.receiver, version, tree.dept_a, **kwargs)
        d = act(o.receiver, d, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
        d = act(o.processor, d, "accept")
        d = act(o.processor, d, "submit_for_approval")
        traveller.move_to(vn(2025, 6, 3, 10))
        d = act(o.leader, d, "approve")
        d = act(o.processor, d, "mark_result_ready")
    return d


def test_an_issued_file_is_an_electronic_result_copied_to_the_store(tree, officers, version):
    d = ready(tree, officers, version)
    result = services.attach_result(
        Actor(user=officers.receiver), d.code, name="Giấy khai sinh bản điện tử", content=PDF
    )
    assert (result.electronic, result.content_type, result.size) == (
        True,
        "application/pdf",
        len(PDF),
    )
    assert result.file.name.endswith(".pdf") and result.sha256 in result.file.name
    stored = StoredDocument.objects.get()
    assert (stored.reference, stored.applicant, stored.source, stored.source_dossier) == (
        result.store_reference,
        d.applicant,
        "result",
        d,
    )
    assert Dossier.objects.get(pk=d.pk).has_electronic_result is True
    # Downloads go through the scope: an officer of another department gets a 404.
    assert services.result_file(officers.processor, d.code, result.pk) == result
    with pytest.raises(services.DossierNotFoundError):
        services.result_file(officers.receiver_b, d.code, result.pk)


def test_a_paper_result_is_not_electronic(tree, officers, version):
    d = ready(tree, officers, version)
    result = services.attach_result(Actor(user=officers.receiver), d.code, name="Bản giấy")
    assert result.electronic is False and not StoredDocument.objects.exists()
    assert Dossier.objects.get(pk=d.pk).has_electronic_result is False


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"<html>x</html>", 400, "invalid"),  # sniffed: not PDF/JPEG/PNG
        (b"", 400, "invalid"),
    ],
)
def test_bad_files_are_refused(tree, officers, version, content, status, code):
    d = ready(tree, officers, version)
    with pytest.raises(BilingualError) as caught:
        services.attach_result(Actor(user=officers.receiver), d.code, name="KQ", content=content)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_only_at_result_ready(tree, officers, version):
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False):
        d = receive(officers.receiver, version, tree.dept_a)
    with pytest.raises(BilingualError) as caught:
        services.attach_result(Actor(user=officers.receiver), d.code, name="KQ", content=PDF)
    assert caught.value.status == 409


def test_a_later_intake_reuses_the_stored_result(tree, officers, version):
    d = ready(tree, officers, version)
    reference = services.attach_result(
        Actor(user=officers.receiver), d.code, name="KQ", content=PDF
    ).store_reference
    with time_machine.travel(vn(2025, 6, 10, 9), tick=False):
        again = receive(
            officers.receiver,
            version,
            tree.dept_a,
            components=[{"name": "Tờ khai", "store_reference": reference}],
        )
        assert (again.reused, again.components_digitised) == (True, False)
        scanned = receive(
            officers.receiver,
            version,
            tree.dept_a,
            components=[{"name": "Tờ khai", "content": PDF, "filename": "a.pdf"}],
        )
        assert (scanned.reused, scanned.components_digitised) == (False, True)
        # Another applicant cannot quote it (400 on that component, both languages).
        with pytest.raises(services.DossierInputError) as caught:
            receive(
                officers.receiver,
                version,
                tree.dept_a,
                applicant=ORGANISATION,
                components=[{"name": "Tờ khai", "store_reference": reference}],
            )
    assert list(caught.value.errors_vi) == ["components.0.store_reference"]
    assert caught.value.errors_en["components.0.store_reference"]
    assert PERSON["id_number"] == d.applicant.id_number


def test_digitisation_by_tier_by_hand(tree, officers, version):
    """Dept A (province tier): two results ready, one electronic -> (1, 2); an open dossier
    and the other tiers count nothing."""
    first = ready(tree, officers, version)
    ready(tree, officers, version)
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False):
        receive(officers.receiver, version, tree.dept_a)  # open: no result
    services.attach_result(Actor(user=officers.receiver), first.code, name="KQ", content=PDF)
    assert services.digitisation_by_tier() == {
        "province": (1, 2),
        "district": (0, 0),
        "commune": (0, 0),
    }
    assert DossierResult.objects.count() == 1


def test_the_dossier_page_attaches_and_serves_the_result(client, tree, officers, version):
    from django.core.files.uploadedfile import SimpleUploadedFile

    d = ready(tree, officers, version)
    client.force_login(officers.receiver)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert 'id="attach-result"' in page
    upload = SimpleUploadedFile("kq.html", PDF, content_type="text/html")  # name not trusted
    done = client.post(f"/ho-so/{d.code}/ket-qua/", {"name": "Giấy khai sinh", "file": upload})
    assert done.status_code == 302
    result = DossierResult.objects.get()
    served = client.get(f"/ho-so/{d.code}/ket-qua/{result.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PDF
    client.force_login(officers.receiver_b)
    assert client.get(f"/ho-so/{d.code}/ket-qua/{result.pk}/").status_code == 404
