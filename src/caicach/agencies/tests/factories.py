from __future__ import annotations

from datetime import date

import factory

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel


class AgencyFactory(factory.django.DjangoModelFactory):
    """An agency; give ``parent`` and a ``code`` consistent with it when the test needs them."""

    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"000.00.{n % 100:02d}.H{10 + n // 100:02d}")
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT
    level = AgencyLevel.PROVINCE
    valid_from = date(2025, 7, 1)
