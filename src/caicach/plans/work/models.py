"""The plan's work (issue 15, "Tasks", "Initiatives and dialogues"): progress updates of a
:class:`~caicach.plans.models.Task`, the reminders sent about it, reform initiatives and the
leaders' dialogues with citizens and businesses (glossary: *sáng kiến* ``Initiative``, *đối
thoại* ``Dialogue``), whose records count toward the targets that measure them
(``plans.work.counted``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Dialogue",
    "DialogueQuestion",
    "Initiative",
    "InitiativeLevel",
    "TaskReminder",
    "TaskUpdate",
]


class TaskUpdate(models.Model):
    """One progress report on a task by its lead agency: the day, the progress reached, what was
    done, and an optional evidence file (``plans.evidence``: type read from the bytes)."""

    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="updates")
    day = models.DateField(_("ngày"))
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    status = models.CharField(_("trạng thái"), max_length=20)
    note = models.TextField(_("nội dung"), blank=True)
    evidence = models.FileField(_("minh chứng"), upload_to="plans/tasks/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=10, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="task_update_progress_le_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.day} {self.progress}%"


class TaskReminder(models.Model):
    """A reminder sent about a task on a day: at most one per task and day."""

    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    overdue = models.BooleanField(default=False)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "day"], name="task_reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.day}"


class InitiativeLevel(models.TextChoices):
    NONE = "", _("Chưa công nhận")
    AGENCY = "agency", _("Cấp cơ sở")
    PROVINCE = "province", _("Cấp tỉnh")
    NATIONAL = "national", _("Cấp toàn quốc")


class Initiative(models.Model):
    """A reform initiative (*sáng kiến, giải pháp mới về CCHC*) of an agency, with its
    evaluation (recognised level and score) and the agencies it was replicated to. Counted by
    the indicator ``reform_initiatives`` once recognised."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên sáng kiến"), max_length=400)
    domain = models.CharField(_("lĩnh vực"), max_length=30, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    level = models.CharField(
        _("cấp công nhận"), max_length=10, choices=InitiativeLevel.choices, blank=True
    )
    score = models.DecimalField(_("điểm"), max_digits=5, decimal_places=1, null=True, blank=True)
    recognised_on = models.DateField(_("ngày công nhận"), null=True, blank=True)
    replicated_to = models.ManyToManyField(
        "agencies.Agency", blank=True, related_name="+", verbose_name=_("nhân rộng tại")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title


class Dialogue(models.Model):
    """A dialogue of an agency's leaders with citizens or businesses (*đối thoại*), counted by
    the indicator ``leader_dialogues`` in the year it was held."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("ngày đối thoại"))
    title = models.CharField(_("chủ đề"), max_length=400)
    leaders = models.CharField(_("lãnh đạo chủ trì"), max_length=400)
    participants = models.CharField(_("thành phần tham dự"), max_length=600, blank=True)
    attendance = models.PositiveIntegerField(_("số người tham dự"), default=0)
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class DialogueQuestion(models.Model):
    """A question raised at a dialogue, its answer, and the follow-up task it gave, if any."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.CharField(_("người hỏi"), max_length=200, blank=True)
    question = models.TextField(_("câu hỏi"))
    answer = models.TextField(_("trả lời"), blank=True)
    task = models.ForeignKey(
        "plans.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dialogue", "order"]

    def __str__(self) -> str:
        return self.question[:120]
