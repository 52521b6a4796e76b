"""Machine clients: OAuth2 client credentials (django-oauth-toolkit) instead of HTTP Basic.

HTTP Basic checks a password on every request: PBKDF2 with 1,000,000 iterations, about 0.25 s
of CPU, so an integration got 4 requests a second per core. A machine client presents its
secret once for a short-lived token (``API_TOKEN_LIFETIME_SECONDS``); each API request then
costs one indexed look-up of the token's checksum. The token acts as the client's service
account, an officer whose role assignments scope it like any officer. Every token issued and
revoked is in the audit trail (Decree 13/2023 on personal data: who could read what, when).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, revoke_access_token
from oauth2_provider.oauth2_validators import OAuth2Validator

from caicach.accounts.models import MachineClient, RoleAssignment, User, UserKind
from caicach.core.audit import Actor, record


def _agency(user: Any) -> Any:
    assignment = RoleAssignment.objects.filter(user=user).select_related("agency").first()
    return assignment.agency if assignment else None


def _record_token(action: str, token: AccessToken, ip_address: str | None) -> None:
    application = token.application
    record(
        Actor(user=token.user, ip_address=ip_address, label=str(application)),
        action,
        object_type="oauth2_provider.accesstoken",
        object_id=str(token.pk),
        object_repr=f"{application} ({application.client_id})"[:300],
        agency=_agency(token.user) if token.user else None,
        changes={"scope": token.scope, "expires": token.expires},
    )


class Validator(OAuth2Validator):
    """django-oauth-toolkit's validator, for client credentials only: the token acts as the
    application's service account, the scopes are those granted to the client, and issuing and
    revoking are audited in the transaction that writes the token."""

    def _granted(self, client: Any) -> list[str]:
        machine = MachineClient.objects.filter(application=client).first()
        return machine.scope_list if machine else []

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        # Only the client-credentials grant, and only while the service account is active.
        return (
            grant_type == "client_credentials"
            and client.user is not None
            and client.user.is_active
            and super().validate_grant_type(client_id, grant_type, client, request, *args, **kw)
        )

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        return set(scopes) <= set(self._granted(client))

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kw: Any) -> list[str]:
        return self._granted(request.client)

    def _create_access_token(
        self, expires: Any, request: Any, token: Any, source_refresh_token: Any = None
    ) -> AccessToken:
        if request.grant_type == "client_credentials":
            request.user = request.client.user  # the service account (DOT leaves it empty)
        access_token: AccessToken = super()._create_access_token(
            expires, request, token, source_refresh_token
        )
        _record_token("api_token.issue", access_token, request.headers.get("REMOTE_ADDR"))
        return access_token

    def revoke_token(
        self, token: str, token_type_hint: str, request: Any, *args: Any, **kw: Any
    ) -> None:
        checksum = hashlib.sha256(token.encode()).hexdigest()
        with transaction.atomic():
            revoked = list(
                AccessToken.objects.select_related("application", "user").filter(
                    token_checksum=checksum, application_id=getattr(request.client, "pk", None)
                )
            )
            super().revoke_token(token, token_type_hint, request, *args, **kw)
            for access_token in revoked:
                _record_token("api_token.revoke", access_token, request.headers.get("REMOTE_ADDR"))


def create_client(
    actor: Actor, *, name: str, agency: Any, role: str, scopes: list[str]
) -> tuple[MachineClient, str]:
    """Register a machine client acting as a new service account with ``role`` at ``agency``;
    return it and its client secret, which is stored hashed and cannot be shown again."""
    unknown = set(scopes) - set(settings.API_TOKEN_SCOPES)
    if unknown or not scopes:
        raise ValueError(f"Unknown or no scopes: {sorted(unknown)}")
    secret = generate_client_secret()
    with transaction.atomic():
        user = User(username=f"api-{generate_client_secret()[:12].lower()}", kind=UserKind.OFFICER)
        user.full_name = name[:200]
        user.set_unusable_password()  # the service account never signs in with a password
        user.save()
        RoleAssignment.objects.create(user=user, role=role, agency=agency)
        application = Application.objects.create(
            name=name,
            user=user,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
        )
        machine = MachineClient.objects.create(application=application, scopes=" ".join(scopes))
        record(
            actor,
            "api_client.create",
            machine,
            agency=agency,
            changes={"client_id": application.client_id, "role": role, "scopes": scopes},
        )
    return machine, secret


def revoke_client(actor: Actor, machine: MachineClient) -> int:
    """Revoke every token of the client and disable it (its service account is deactivated, so
    a token issued meanwhile fails too); return the number of tokens revoked."""
    application = machine.application
    with transaction.atomic():
        tokens = list(AccessToken.objects.filter(application=application).select_related("user"))
        for token in tokens:
            _record_token("api_token.revoke", token, actor.ip_address)  # before: delete clears pk
            revoke_access_token(token)
        User.objects.filter(pk=application.user_id).update(is_active=False)
        record(actor, "api_client.revoke", machine, agency=_agency(application.user))
    return len(tokens)
