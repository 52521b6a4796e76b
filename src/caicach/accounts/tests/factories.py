from __future__ import annotations

import factory

from caicach.accounts.models import RoleAssignment, User
from caicach.agencies.tests.factories import AgencyFactory

PASSWORD = "Mật-khẩu-Thử-2025!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Cán bộ Thử {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password(PASSWORD)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "processor"
    agency = factory.SubFactory(AgencyFactory)
