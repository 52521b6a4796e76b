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


def bearer_token(user: User, scopes: str = "") -> str:
    """An OAuth2 access token acting as ``user`` (as a machine client's service account), with
    every scope unless ``scopes`` names some; for tests that call the API over HTTP."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import AccessToken, Application

    from caicach.accounts.models import MachineClient

    scopes = scopes or " ".join(settings.API_TOKEN_SCOPES)
    application = Application.objects.create(
        name=f"test client of {user.username}",
        user=user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    MachineClient.objects.create(application=application, scopes=scopes)
    token = generate_client_secret()
    AccessToken.objects.create(
        user=user,
        application=application,
        token=token,
        scope=scopes,
        expires=timezone.now() + timedelta(hours=2),
    )
    return token
