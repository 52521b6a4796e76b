"""Forms of the officers' workspace: bulk assignment and the action confirmation.

They only read input; the rules (state, roles, reasons, dates) stay in
:func:`caicach.dossiers.services.perform_action`, whose Vietnamese messages the pages show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caicach.core.widgets import FastSelect


class BulkAssignForm(forms.Form):
    """Dossiers ticked in the inbox (``code@version``) and whom to assign them to."""

    dossiers = forms.MultipleChoiceField(label=_("Hồ sơ"), required=True)
    assignee = forms.ChoiceField(label=_("Chuyên viên thụ lý"), required=False, widget=FastSelect)
    agency = forms.ChoiceField(label=_("Đơn vị xử lý"), required=False, widget=FastSelect)

    def __init__(
        self,
        *args: Any,
        dossiers: list[str],
        officers: list[tuple[str, str]],
        units: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].choices = [(d, d) for d in dossiers]
        self.fields["assignee"].choices = [("", _("— Theo đơn vị —")), *officers]
        self.fields["agency"].choices = [("", _("— Đơn vị theo quy trình —")), *units]
        self.fields["dossiers"].error_messages["required"] = _("Chọn ít nhất một hồ sơ.")

    def tickets(self) -> list[tuple[str, int]]:
        """The ticked dossiers as (code, version read when the list was shown)."""
        out = []
        for value in self.cleaned_data["dossiers"]:
            code, _sep, version = value.rpartition("@")
            if code and version.isdigit():
                out.append((code, int(version)))
        return out


class ActionForm(forms.Form):
    """The confirmation of one lifecycle action; ``version`` is the one the officer read."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=4000)
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=500)
    new_due = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    agency = forms.CharField(label=_("Mã cơ quan, đơn vị"), required=False, max_length=20)
    assignee = forms.IntegerField(label=_("Chuyên viên"), required=False, min_value=1)
    # Consultations and parallel transfers (NĐ 61/2018 art. 19): codes separated by commas.
    agencies = forms.CharField(label=_("Cơ quan, đơn vị được hỏi"), required=False, max_length=500)
    supporting_agencies = forms.CharField(
        label=_("Cơ quan phối hợp"), required=False, max_length=500
    )
    mode = forms.ChoiceField(
        label=_("Hình thức liên thông"),
        required=False,
        choices=[("", ""), ("sequential", _("Tuần tự")), ("parallel", _("Song song"))],
    )
    deadline = forms.DateTimeField(
        label=_("Hạn trả lời"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    deadline_days = forms.IntegerField(label=_("Số ngày làm việc"), required=False)
    referral = forms.IntegerField(label=_("Yêu cầu cần trả lời"), required=False, min_value=1)
    paper = forms.BooleanField(label=_("Chuyển bằng bản giấy"), required=False)

    def params(self) -> dict[str, Any]:
        """Keyword arguments for ``perform_action`` (empty values left out)."""
        data = self.cleaned_data
        params: dict[str, Any] = {}
        if data.get("reason"):
            params["reason"] = data["reason"]
        if data.get("new_due"):
            params["new_due"] = data["new_due"]
        if data.get("agency"):
            params["agency"] = data["agency"].strip()
        if data.get("assignee"):
            params["assignee"] = data["assignee"]
        for name in ("agencies", "supporting_agencies"):
            codes = [c for c in data.get(name, "").replace(";", ",").split(",") if c.strip()]
            if codes or name in self.data:
                params[name] = [c.strip() for c in codes]
        if data.get("paper"):
            params["paper"] = True
        for name in ("mode", "deadline", "deadline_days", "referral"):
            if data.get(name) not in (None, ""):
                params[name] = data[name]
        return params


def supplement_params(action: str, post: Any, files: Any) -> dict[str, Any]:
    """The per-document parts of the supplement cycle from the dossier page's form: the
    documents ticked for a request (``missing`` = component ids, ``missing_reason_<id>``), or
    the files and store references attached when the supplement arrives (``supplied_<id>``,
    ``supplied_ref_<id>``). The service checks them (caicach.dossiers.supplements)."""
    if action == "request_supplement" and "per_document" in post:
        ids = [str(v)[:12] for v in post.getlist("missing")][:50]
        return {
            "missing": [
                {"component": pk, "reason": str(post.get(f"missing_reason_{pk}", ""))[:600]}
                for pk in ids
            ]
        }
    if action == "supplement_received":
        supplied = []
        names = {k for k in list(files.keys()) + list(post.keys()) if k.startswith("supplied_")}
        for pk in sorted(
            {n.removeprefix("supplied_ref_").removeprefix("supplied_") for n in names}
        ):
            upload = files.get(f"supplied_{pk}")
            content = upload.read(20 * 1024 * 1024 + 1) if upload is not None else None
            reference = str(post.get(f"supplied_ref_{pk}", "")).strip()[:200]
            if content or reference:
                supplied.append({"component": pk, "content": content, "store_reference": reference})
        return {"supplied": supplied} if supplied else {}
    return {}
