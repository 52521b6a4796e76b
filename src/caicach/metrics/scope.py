"""Which agencies' rows make up an agency's figure.

Issue 13 / agencies.models: the subtree (materialised ``path`` prefix) plus every unit whose chain
of ``successor`` links ends inside it: a merged commune's history stays on its own rows and rolls
up to its successor (metrics-notes, "When units merge, history stays on the old unit and the
successor's view adds it").
"""

from __future__ import annotations

from caicach.agencies.models import Agency


def agency_ids(agency: Agency) -> list[int]:
    rows = list(Agency.objects.values_list("pk", "path", "successor_id"))
    inside = {pk for pk, path, _ in rows if path.startswith(agency.path)}
    successor: dict[int, int | None] = {pk: succ for pk, _, succ in rows}
    for pk in list(successor):
        seen: set[int] = {pk}
        cur: int | None = successor[pk]
        while cur is not None and cur not in seen:
            if cur in inside:
                inside.add(pk)
                break
            seen.add(cur)
            cur = successor.get(cur)
    return sorted(inside)


def levels() -> dict[int, str]:
    return dict(Agency.objects.values_list("pk", "level"))
