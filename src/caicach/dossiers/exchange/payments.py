"""Fees paid on a dossier in the JSON Lines exchange (issue 13): export and import.

The payments live in :mod:`caicach.payments`, a layer above dossiers; this module reaches them
through the reverse relation ``dossier.payments`` only (no import of that app). Each item::

    {"kind": "payment" | "refund", "amount": 50000, "channel": "cash" | "bank_transfer" |
     "gateway" | "national_platform", "paid_at": "...", "receipt_number": "000001/2025",
     "reference": "...", "agency": "<code>", "refund_of": <index of the payment in this list>,
     "recorded_by": "<username>", "note": "..."}

``DuocThanhToanTrucTuyen`` (the portal field) is derived as
:func:`caicach.payments.rules.paid_online` counts: the code (1 national platform, 2 gateway) of
an online channel whose payments, less their refunds, are positive; else 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from caicach.calendars.rules import VN_TZ
from caicach.dossiers.exchange.lookups import Lookups
from caicach.dossiers.exchange.reader import Reader

KINDS = ("payment", "refund")
CHANNELS = ("cash", "bank_transfer", "gateway", "national_platform")
PORTAL_CODES = {"cash": 0, "bank_transfer": 0, "national_platform": 1, "gateway": 2}
MAX_AMOUNT = 10**12


def portal_payment_code(payments: Iterable[Any]) -> int:
    """``DuocThanhToanTrucTuyen`` of a dossier from its payment rows (net online > 0)."""
    net: dict[int, int] = {}
    for p in payments:
        code = PORTAL_CODES.get(p.channel, 0)
        if code:
            net[code] = net.get(code, 0) + (-p.amount if p.kind == "refund" else p.amount)
    for code in (1, 2):
        if net.get(code, 0) > 0:
            return code
    return 0


def export_payments(dossier: Any) -> list[dict[str, Any]]:
    """The payments of a dossier (prefetched ``payments`` with agency and recorded_by)."""
    rows = sorted(dossier.payments.all(), key=lambda p: (p.paid_at, p.pk))
    index = {p.pk: i for i, p in enumerate(rows)}
    return [
        {
            "kind": p.kind,
            "amount": p.amount,
            "channel": p.channel,
            "portal_code": p.portal_code,
            "paid_at": p.paid_at.astimezone(VN_TZ).isoformat(),
            "receipt_number": p.receipt_number,
            "reference": p.reference,
            "agency": p.agency.code,
            "refund_of": index.get(p.refund_of_id) if p.refund_of_id else None,
            "recorded_by": p.recorded_by.get_username() if p.recorded_by else None,
            "note": p.note,
        }
        for p in rows
    ]


def parse_payments(
    r: Reader, raw: Mapping[str, Any], lookups: Lookups, default_agency: Any
) -> list[dict[str, Any]]:
    """The ``payments`` of a line, checked: amounts positive, a refund after its payment and
    never more than what is left of it. Returns field dicts (``refund_of`` an index)."""
    out: list[dict[str, Any]] = []
    left: dict[int, int] = {}
    for i, item in enumerate(r.items(raw, "payments", "payments")):
        at = f"payments[{i}]"
        kind = r.choice(item, "kind", f"{at}.kind", KINDS, default="payment")
        channel = r.choice(item, "channel", f"{at}.channel", CHANNELS)
        amount = r.integer(item, "amount", f"{at}.amount", minimum=1, maximum=MAX_AMOUNT)
        paid_at = r.moment(item, "paid_at", f"{at}.paid_at", required=True)
        code = item.get("agency")
        agency = lookups.agencies.get(code) if code else default_agency
        if code and agency is None:
            r.error(
                f"{at}.agency",
                f"Không tìm thấy cơ quan có mã “{code}”.",
                f"No agency with code “{code}”.",
            )
        refund_of = item.get("refund_of")
        if kind == "refund":
            if (
                not isinstance(refund_of, int)
                or isinstance(refund_of, bool)
                or refund_of not in left
            ):
                r.error(
                    f"{at}.refund_of",
                    "Khoản hoàn trả phải chỉ tới một khoản thu trước nó.",
                    "A refund must point at an earlier payment in the list.",
                )
            elif amount is not None:
                if amount > left[refund_of]:
                    r.error(
                        f"{at}.amount",
                        "Số tiền hoàn trả vượt số đã thu.",
                        "The refund is more than what is left of the payment.",
                    )
                else:
                    left[refund_of] -= amount
                    channel = out[refund_of]["channel"]
        else:
            refund_of = None
            if amount is not None:
                left[i] = amount
        out.append(
            {
                "kind": kind,
                "amount": amount,
                "channel": channel,
                "portal_code": PORTAL_CODES.get(channel, 0),
                "paid_at": paid_at,
                "receipt_number": r.text(
                    item, "receipt_number", f"{at}.receipt_number", required=False, max_length=40
                ),
                "reference": r.text(
                    item, "reference", f"{at}.reference", required=False, max_length=100
                ),
                "agency": agency,
                "refund_of": refund_of,
                "note": r.text(item, "note", f"{at}.note", required=False, max_length=500),
                "recorded_by": lookups.user(str(item["recorded_by"]))
                if item.get("recorded_by")
                else None,
            }
        )
    return out


def write_payments(dossier: Any, items: list[dict[str, Any]]) -> None:
    """Create the parsed payments of a just-written dossier (refunds linked)."""
    created: list[Any] = []
    for item in items:
        values = dict(item)
        index = values.pop("refund_of")
        created.append(
            dossier.payments.create(
                **values, refund_of=created[index] if index is not None else None
            )
        )
