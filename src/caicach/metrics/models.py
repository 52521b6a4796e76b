"""Rollups and frozen figures (issue 13, "Rollups" and "published figures are reproducible").

- :class:`DailyRollup`: one row per day × deciding agency × procedure × version × channel, with a
  counter for every additive measure of ``metrics.registry.ROLLUP_MEASURES``. Received-side
  counters sit on the receipt day, the others on the day processing ended (Vietnam time).
  Written by ``metrics.rollup.rebuild`` (one ``INSERT … SELECT … GROUP BY``) and kept current by
  ``metrics.upkeep`` in the writer's transaction (``INSERT … ON CONFLICT DO UPDATE n = n + …``).
- :class:`OpenSnapshot`: the stock at the end of a day (open, overdue), for the period ends.
- :class:`FrozenValue` / :class:`Revision`: a closed month's published values and their revisions.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupCounters(models.Model):
    """One counter per additive measure (``metrics.registry.ROLLUP_MEASURES``)."""

    received = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    received_full_online = models.IntegerField(default=0, db_default=0)
    received_full_online_eligible = models.IntegerField(default=0, db_default=0)
    finished = models.IntegerField(default=0)
    finished_online = models.IntegerField(default=0)
    finished_early = models.IntegerField(default=0)
    finished_on_time = models.IntegerField(default=0)
    finished_legal_on_time = models.IntegerField(default=0)
    processing_days = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    supplement_requests = models.IntegerField(default=0)
    apologised = models.IntegerField(default=0)
    apologies = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    electronic_result = models.IntegerField(default=0, db_default=0)
    fee_bearing = models.IntegerField(default=0, db_default=0)
    paid_online = models.IntegerField(default=0, db_default=0)
    rated = models.IntegerField(default=0, db_default=0)
    rated_satisfied = models.IntegerField(default=0, db_default=0)
    transfers = models.IntegerField(default=0, db_default=0)
    transfers_electronic = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupCounters):
    day = models.DateField()
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    version = models.ForeignKey(
        "procedures.ProcedureVersion",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    channel = models.CharField(max_length=10)

    class Meta:
        verbose_name = _("tổng hợp theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency", "procedure", "version", "channel"],
                name="metrics_daily_rollup_key",
            )
        ]
        indexes = [models.Index(fields=["agency", "day"], name="metrics_rollup_agency_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel}"


class MonthlyRollup(RollupCounters):
    """:class:`DailyRollup` summed per month × deciding agency × channel (issue 14, "Speed").

    A month's rows are exact only while the month is not in :class:`DirtyMonth`; readers
    (``metrics.compute``) take clean months from here and dirty ones from the daily rows, so a
    figure is the same whichever table it came from. ``metrics.rollup.refresh_months`` rebuilds
    the dirty months (a periodic job, and the full rebuild).
    """

    month = models.DateField(help_text="The month's first day.")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    channel = models.CharField(max_length=10)

    class Meta:
        verbose_name = _("tổng hợp theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency", "channel"], name="metrics_monthly_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.channel}"


class DirtyMonth(models.Model):
    """A month whose daily rows changed (in transaction ``xact``) since its monthly rows were
    made. Written by a statement trigger on ``metrics_dailyrollup`` (migration 0003): one row
    per month and writing transaction, so concurrent writers never wait on each other here."""

    month = models.DateField()
    xact = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "xact"], name="metrics_dirty_month_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.xact})"


class OpenSnapshot(models.Model):
    """Dossiers open (received, not finished) and overdue at the end of ``day`` (stock)."""

    day = models.DateField()
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    channel = models.CharField(max_length=10)
    open_at_end = models.IntegerField(default=0)
    overdue_at_end = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số hồ sơ tồn cuối ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency", "procedure", "channel"], name="metrics_snapshot_key"
            )
        ]
        indexes = [models.Index(fields=["agency", "day"], name="metrics_snapshot_agency_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel}"


class SnapshotDay(models.Model):
    """The days whose end-of-day stock was taken (an agency with no open dossier has no row)."""

    day = models.DateField(unique=True)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ngày đã chốt số tồn")

    def __str__(self) -> str:
        return str(self.day)


class FrozenValue(models.Model):
    """A published value of a closed month: what was shown, with the versions that produced it."""

    period = models.CharField(max_length=30)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    kpi = models.CharField(max_length=60)
    numerator = models.DecimalField(max_digits=20, decimal_places=4)
    denominator = models.DecimalField(max_digits=20, decimal_places=4)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    formula_version = models.CharField(max_length=30)
    kpi_version = models.PositiveIntegerField()
    catalogue_version = models.CharField(max_length=64)
    closed_at = models.DateTimeField()
    closed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("số liệu đã chốt")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency", "kpi"], name="metrics_frozen_key")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.agency_id} {self.kpi}"


class Revision(models.Model):
    """A later recomputation of a frozen value that differs: kept beside it, never silently."""

    frozen = models.ForeignKey(FrozenValue, on_delete=models.PROTECT, related_name="revisions")
    numerator = models.DecimalField(max_digits=20, decimal_places=4)
    denominator = models.DecimalField(max_digits=20, decimal_places=4)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    formula_version = models.CharField(max_length=30)
    catalogue_version = models.CharField(max_length=64)
    cause = models.CharField(max_length=500)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("điều chỉnh số liệu")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.frozen_id} {self.recorded_at:%Y-%m-%d} {self.cause}"
