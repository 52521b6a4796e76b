"""Issue 16: "Có nguy cơ trễ hạn" says why: the remaining steps' budgets exceed the working time
left to the promised date (deadlines.running_status), with the steps listed."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from caicach.dossiers.tests.factories import procedure_version, receive, vn

pytestmark = pytest.mark.django_db


def test_the_page_explains_an_at_risk_dossier(client, tree, officers):
    # Steps receiver 1 + processor 2 + leader 1 day; promised in 2 working days only.
    version = procedure_version(tree.dept_a, promised_value=Decimal(2))
    with time_machine.travel(vn(2025, 6, 2, 9, 30), tick=False):
        dossier = receive(officers.receiver, version, tree.dept_a)
    client.force_login(officers.receiver)
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Có nguy cơ trễ hạn" in html
    assert 'id="risk-reason"' in html
    assert "các bước còn lại của quy trình cần" in html
    for step in version.steps.all():
        if step.order > (dossier.current_step or 0):
            assert step.name in html


def test_no_reason_when_within_time(client, tree, officers, version):
    with time_machine.travel(vn(2025, 6, 2, 9, 30), tick=False):
        dossier = receive(officers.receiver, version, tree.dept_a)
    client.force_login(officers.receiver)
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Còn hạn" in html and 'id="risk-reason"' not in html
