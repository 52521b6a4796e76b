"""Shapes of the dossier API. Input serializers check only the shape; the services check the
rules (identity numbers, procedure in force, components, permissions).

Size (~610 lines): one job, the dossier resource's shapes (input, list row, detail with its
nested applicant, components, events, clock and facts); the shapes of the other resources live in
their own modules (``documents``, ``tasks``, ``intake``). Split by resource, not by line count.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caicach.agencies.models import Agency
from caicach.core.api.fields import SlugRelatedField
from caicach.dossiers import access_log, privacy, services
from caicach.dossiers.asof import verdict_label
from caicach.dossiers.deadlines import is_overdue
from caicach.dossiers.inputs import APPLICANT_FIELDS
from caicach.dossiers.models import (
    CHANNEL_CHOICES,
    STATE_CHOICES,
    TIMELINESS_CHOICES,
    Applicant,
    ApplicantKind,
    Dossier,
    DossierComponent,
    DossierEvent,
    Referral,
    ReferralKind,
)
from caicach.dossiers.workflow import DossierAction, DossierState, allowed_actions

# base64 of MAX_COMPONENT_BYTES, with room for padding and line breaks
_MAX_BASE64 = services.MAX_COMPONENT_BYTES * 4 // 3 + 1024


# -- input ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.BYTE)
class Base64Field(serializers.Field):
    """File content as standard base64."""

    default_error_messages = {
        "invalid": "Nội dung tệp phải được mã hóa base64.",
        "too_large": "Tệp quá lớn (tối đa 20 MB).",
    }

    def to_internal_value(self, data: Any) -> bytes:
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > _MAX_BASE64:
            self.fail("too_large")
        try:
            return base64.b64decode("".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            self.fail("invalid")
        raise AssertionError  # unreachable: fail() raises

    def to_representation(self, value: bytes) -> str:
        return base64.b64encode(value).decode()


class DossierApplicantInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, default=ApplicantKind.PERSON)
    full_name = serializers.CharField(max_length=300, help_text="Person's or organisation's name.")
    id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="Citizen ID (CCCD), 12 digits."
    )
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    tax_code = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="Organisation's tax code (MST)."
    )
    representative = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DossierComponentInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Document name; also links it to the procedure's component of that name.",
    )
    component = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Id of the procedure component."
    )
    content = Base64Field(required=False, help_text="The scanned or uploaded file, base64.")
    filename = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content_type = serializers.CharField(max_length=100, required=False, allow_blank=True)
    store_reference = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="A document of the applicant's digitised store, reused instead of a file.",
    )


class DossierReceiveSerializer(serializers.Serializer):
    procedure = serializers.CharField(max_length=30, help_text="National procedure code.")
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES)
    applicant = DossierApplicantInputSerializer()
    components = DossierComponentInputSerializer(many=True, max_length=services.MAX_COMPONENTS)
    receiving_agency = SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        help_text="Code of the agency that officially receives the dossier.",
    )
    served_at = SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="Where the applicant was helped; default: the receiving agency.",
    )
    deciding_agency = SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="Deciding authority: one of the procedure's competent authorities for this "
        "desk (a handling agency by name, or the desk's own agency of a handling kind); "
        "default: the one the desk belongs to, or the only one named (400 otherwise).",
    )


class SupplementItemSerializer(serializers.Serializer):
    component = serializers.IntegerField(
        min_value=1, help_text="Id of a component of the dossier's procedure version."
    )
    reason = serializers.CharField(
        max_length=500, help_text="Why it is missing or insufficient (form 02)."
    )


class DossierActionRequestSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The dossier's `version` as last read (optimistic concurrency)."
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Required for request_supplement, refuse, stop, send_back and apologise.",
    )
    agency = serializers.CharField(
        max_length=20,
        required=False,
        help_text="Agency code: target of assign, transfer_step, transfer_agency, consult.",
    )
    assignee = serializers.IntegerField(
        min_value=1, required=False, help_text="User id of the processing officer (assign)."
    )
    new_due = serializers.DateTimeField(
        required=False, help_text="New return date of an apology (form 04)."
    )
    agencies = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=20,
        help_text="consult: codes of the units or agencies asked (NĐ 61/2018 art. 19).",
    )
    deadline = serializers.DateTimeField(
        required=False,
        help_text="consult, parallel transfer_agency: the instant by which the asked agencies "
        "answer (or give `deadline_days`).",
    )
    deadline_days = serializers.IntegerField(
        required=False,
        help_text="consult, parallel transfer_agency: working days to answer, counted on the "
        "asked agency's calendar from the next working day.",
    )
    mode = serializers.ChoiceField(
        choices=[("sequential", "sequential"), ("parallel", "parallel")],
        required=False,
        help_text="transfer_agency: `sequential` (default, to one agency) or `parallel` (to "
        "`lead_agency`, with `supporting_agencies` asked at the same time).",
    )
    lead_agency = serializers.CharField(
        max_length=20, required=False, help_text="transfer_agency (parallel): lead agency code."
    )
    supporting_agencies = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=20,
        help_text="transfer_agency (parallel): codes of the supporting agencies.",
    )
    paper = serializers.BooleanField(
        required=False,
        help_text="transfer_agency: the file also went on paper, so the transfer is not counted "
        "as electronic (NĐ 45/2020 art. 13; KPI `transfers_electronic`).",
    )
    referral = serializers.IntegerField(
        required=False,
        help_text="reply: id of the referral answered (needed when several are addressed to "
        "the caller's agencies). The answer is the `note`.",
    )
    missing = serializers.ListField(
        child=SupplementItemSerializer(),
        required=False,
        max_length=50,
        help_text="request_supplement: the documents missing or insufficient, each a component "
        "of the procedure version with its reason (form 02 lists them); `reason` may then be "
        "left out (their summary). The supplied files are attached from the dossier page.",
    )


# -- output -----------------------------------------------------------------------------------


class DossierAgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DossierProcedureRefSerializer(serializers.Serializer):
    code = serializers.CharField(source="procedure.code")
    name = serializers.CharField(source="procedure_version.name")
    version = serializers.IntegerField(source="procedure_version.number")


_MASKED = (
    " Masked (only the last digits, `•` for the others; see `masked`) for a reader who may "
    "view the dossier but acts on it in no role (Decree 13/2023)."
)


class DossierApplicantSerializer(serializers.Serializer):
    """The applicant as the caller may see it (Decree 13/2023): whole for an officer acting on
    the dossier in a workflow role, the personal data masked for one who may only view it."""

    # Plain text here: one enum component for the applicant kind (the input's) keeps the
    # schema's enum names free of collisions with other apps' "kind" fields.
    kind = serializers.CharField(help_text="person or organisation.")
    full_name = serializers.CharField(help_text="Person's or organisation's name.")
    id_number = serializers.CharField(
        help_text="Citizen ID (CCCD), 12 digits." + _MASKED + " E.g. `••••••••2345`."
    )
    phone = serializers.CharField(help_text="Phone number." + _MASKED + " E.g. `•••••••678`.")
    email = serializers.CharField(
        help_text="E-mail. Masked to its first character and domain (`a•••@gmail.com`) for a "
        "reader who acts on the dossier in no role."
    )
    address = serializers.CharField(
        help_text="Address. Masked to its last two parts (ward, province: `•••, phường Bến "
        "Thành, TP. Hồ Chí Minh`) for a reader who acts on the dossier in no role."
    )
    tax_code = serializers.CharField(
        help_text="Tax code (MST). A person's is masked like `id_number`; an organisation's "
        "is public and never masked."
    )
    representative = serializers.CharField(help_text="Organisation's representative.")
    masked = serializers.BooleanField(
        help_text="True when the caller may view the dossier but acts on it in no role: the "
        "personal data above are then masked."
    )


class DossierFileSerializer(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = DossierComponent
        fields = [
            "id",
            "name",
            "component",
            "has_file",
            "reused",
            "store_reference",
            "content_type",
            "size",
            "sha256",
        ]

    def get_has_file(self, obj: DossierComponent) -> bool:
        return bool(obj.file)


class DossierReferralSerializer(serializers.ModelSerializer):
    """A consultation or a supporting agency's part (NĐ 61/2018 art. 19)."""

    kind = serializers.ChoiceField(choices=ReferralKind.choices, read_only=True)
    agency = DossierAgencyRefSerializer(read_only=True)
    requesting_agency = DossierAgencyRefSerializer(read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "kind",
            "agency",
            "requesting_agency",
            "question",
            "requested_at",
            "due_at",
            "answered_at",
            "answer",
            "answered_late",
            "deemed_agreed_at",
            "status",
        ]

    def get_status(self, obj: Referral) -> str:
        """open, overdue (open past the deadline), answered, deemed_agreed."""
        return obj.status(timezone.now())


class _DossierBase(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=STATE_CHOICES, read_only=True)
    state_label = serializers.SerializerMethodField()
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, read_only=True)
    procedure = DossierProcedureRefSerializer(source="*", read_only=True)
    current_agency = DossierAgencyRefSerializer(read_only=True)
    timeliness = serializers.ChoiceField(choices=TIMELINESS_CHOICES, read_only=True)
    overdue = serializers.SerializerMethodField()
    due_provisional = serializers.BooleanField(
        read_only=True,
        help_text="The promised date was counted over a year whose official days off are not "
        "announced yet (Labour Code art. 112 holidays only): provisional, recounted when the "
        "official calendar is entered (issue 16).",
    )

    def get_state_label(self, obj: Dossier) -> str:
        return DossierState(obj.state).label_vi

    def get_overdue(self, obj: Dossier) -> bool:
        """The clock runs and the promised date has passed."""
        return is_overdue(obj.state, obj.due_at, timezone.now())


class DossierListSerializer(_DossierBase):
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "code",
            "state",
            "state_label",
            "procedure",
            "channel",
            "applicant_name",
            "current_agency",
            "received_at",
            "due_at",
            "due_provisional",
            "overdue",
            "timeliness",
            "version",
        ]


class DossierDetailSerializer(_DossierBase):
    legal_due_provisional = serializers.BooleanField(
        read_only=True,
        help_text="The statutory due date is provisional (see due_provisional).",
    )
    served_at = DossierAgencyRefSerializer(read_only=True)
    receiving_agency = DossierAgencyRefSerializer(read_only=True)
    deciding_agency = DossierAgencyRefSerializer(read_only=True)
    applicant = serializers.SerializerMethodField()
    components = DossierFileSerializer(many=True, read_only=True)
    referrals = DossierReferralSerializer(many=True, read_only=True)
    assigned_to = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    timeliness_label = serializers.SerializerMethodField(
        help_text="Verdict against the promise in force, in Vietnamese (Trước hạn / Đúng hạn / "
        "Trễ hạn); empty while open."
    )
    legal_timeliness_label = serializers.SerializerMethodField(
        help_text="Verdict against the statutory due, in Vietnamese."
    )
    timeliness_766_label = serializers.SerializerMethodField(
        help_text="Decision 766 verdict (regulations §1.3), in Vietnamese."
    )
    source_figures = serializers.JSONField(
        read_only=True,
        help_text="What an imported file stated (due dates, verdicts), kept for reconciliation.",
    )

    class Meta:
        model = Dossier
        fields = [
            "code",
            "state",
            "state_label",
            "procedure",
            "channel",
            "served_at",
            "receiving_agency",
            "deciding_agency",
            "current_agency",
            "current_step",
            "assigned_to",
            "applicant",
            "components",
            "referrals",
            "received_at",
            "due_at",
            "legal_due_at",
            "due_provisional",
            "legal_due_provisional",
            "calendar_version",
            "overdue",
            "finished_at",
            "returned_at",
            "timeliness",
            "first_due_at",
            "legal_timeliness",
            "timeliness_766",
            "timeliness_label",
            "legal_timeliness_label",
            "timeliness_766_label",
            "processing_working_days",
            "source_figures",
            "supplement_requests",
            "apologies",
            "has_electronic_result",
            "components_digitised",
            "reused",
            "version",
            "lookup_token",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]

    def _roles(self, obj: Dossier) -> list[str]:
        """The caller's acting roles on ``obj``, computed once per dossier and serializer."""
        cache: dict[int, list[str]] = self.__dict__.setdefault("_acting_roles", {})
        if obj.pk not in cache:
            request = self.context.get("request")
            cache[obj.pk] = [] if request is None else services.acting_roles(request.user, obj)
        return cache[obj.pk]

    def get_timeliness_label(self, obj: Dossier) -> str:
        return verdict_label(obj.timeliness)

    def get_legal_timeliness_label(self, obj: Dossier) -> str:
        return verdict_label(obj.legal_timeliness)

    def get_timeliness_766_label(self, obj: Dossier) -> str:
        return verdict_label(obj.timeliness_766)

    def get_assigned_to(self, obj: Dossier) -> str | None:
        return str(obj.assigned_to) if obj.assigned_to is not None else None

    @extend_schema_field(DossierApplicantSerializer)
    def get_applicant(self, obj: Dossier) -> dict[str, Any]:
        """Whole for a caller acting on the dossier, masked for one who may only view it."""
        disclosure = privacy.disclosure_for(self._roles(obj))
        person = privacy.applicant_view(obj.applicant, disclosure)
        request = self.context.get("request")
        if disclosure is privacy.Disclosure.FULL and request is not None:
            access_log.personal_data_viewed(request, obj)
        return DossierApplicantSerializer(person).data

    def get_allowed_actions(self, obj: Dossier) -> list[str]:
        """Actions the caller's roles allow in this state (guards are checked on submit)."""
        if self.context.get("request") is None:
            return []
        return [a.value for a in allowed_actions(obj.state, self._roles(obj))]


_DATETIME = serializers.DateTimeField()
_DAYS = serializers.DecimalField(max_digits=9, decimal_places=2)


def _when(value: Any) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _applicant_data(applicant: Applicant, roles: list[str]) -> dict[str, Any]:
    """What :class:`DossierApplicantSerializer` gives for a caller acting in ``roles``."""
    person = privacy.applicant_view(applicant, privacy.disclosure_for(roles))
    return {name: getattr(person, name) for name in _APPLICANT_FIELDS}


def _agency_ref(agency: Agency) -> dict[str, Any]:
    return {"code": agency.code, "name": agency.name}


def received_dossier_data(dossier: Dossier, request: Any) -> dict[str, Any]:
    """The 201 answer of an intake: what :class:`DossierDetailSerializer` gives for the
    dossier :func:`services.receive_dossier` just wrote, built without the serializer's
    per-call field construction (intake throughput). A new dossier has no referral and no
    assignee. ``test_receive_answer_equals_detail_serializer`` keeps the two equal."""
    applicant = dossier.applicant
    components = dossier.received_components  # type: ignore[attr-defined]
    roles = services.acting_roles(request.user, dossier) if request is not None else None
    return {
        "code": dossier.code,
        "state": dossier.state,
        "state_label": DossierState(dossier.state).label_vi,
        "procedure": {
            "code": dossier.procedure.code,
            "name": dossier.procedure_version.name,
            "version": dossier.procedure_version.number,
        },
        "channel": dossier.channel,
        "served_at": _agency_ref(dossier.served_at),
        "receiving_agency": _agency_ref(dossier.receiving_agency),
        "deciding_agency": _agency_ref(dossier.deciding_agency),
        "current_agency": _agency_ref(dossier.current_agency),
        "current_step": dossier.current_step,
        "assigned_to": None,
        "applicant": _applicant_data(applicant, roles or []),
        "components": [
            {
                "id": row.pk,
                "name": row.name,
                "component": row.component_id,
                "has_file": bool(row.file),
                "reused": row.reused,
                "store_reference": row.store_reference,
                "content_type": row.content_type,
                "size": row.size,
                "sha256": row.sha256,
            }
            for row in components
        ],
        "referrals": [],
        "received_at": _when(dossier.received_at),
        "due_at": _when(dossier.due_at),
        "legal_due_at": _when(dossier.legal_due_at),
        "due_provisional": dossier.due_provisional,
        "legal_due_provisional": dossier.legal_due_provisional,
        "calendar_version": dossier.calendar_version,
        "overdue": is_overdue(dossier.state, dossier.due_at, timezone.now()),
        "finished_at": _when(dossier.finished_at),
        "returned_at": _when(dossier.returned_at),
        "timeliness": dossier.timeliness,
        "first_due_at": _when(dossier.first_due_at),
        "legal_timeliness": dossier.legal_timeliness,
        "timeliness_766": dossier.timeliness_766,
        "timeliness_label": verdict_label(dossier.timeliness),
        "legal_timeliness_label": verdict_label(dossier.legal_timeliness),
        "timeliness_766_label": verdict_label(dossier.timeliness_766),
        "processing_working_days": None
        if dossier.processing_working_days is None
        else _DAYS.to_representation(dossier.processing_working_days),
        "source_figures": dossier.source_figures,
        "supplement_requests": dossier.supplement_requests,
        "apologies": dossier.apologies,
        "has_electronic_result": dossier.has_electronic_result,
        "components_digitised": dossier.components_digitised,
        "reused": dossier.reused,
        "version": dossier.version,
        "lookup_token": dossier.lookup_token,
        "allowed_actions": []
        if roles is None
        else [a.value for a in allowed_actions(dossier.state, roles)],
        "created_at": _when(dossier.created_at),
        "updated_at": _when(dossier.updated_at),
    }


_APPLICANT_FIELDS = (*APPLICANT_FIELDS, "masked")


class DossierWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField(source="message_en")
    detail_vi = serializers.CharField(source="message_vi")


class DossierActionResultSerializer(DossierDetailSerializer):
    warnings = DossierWarningSerializer(many=True, read_only=True, default=list)

    class Meta(DossierDetailSerializer.Meta):
        fields = [*DossierDetailSerializer.Meta.fields, "warnings"]


class DossierEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    action = serializers.ChoiceField(choices=[(a.value, a.label_vi) for a in DossierAction])
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DossierEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "from_state",
            "to_state",
            "step",
            "agency",
            "note",
            "payload",
        ]


class DossierErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="English.")
    detail_vi = serializers.CharField(help_text="Vietnamese.")
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    errors_vi = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
