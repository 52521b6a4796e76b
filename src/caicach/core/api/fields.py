"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's ``SlugRelatedField`` that answers a value containing a NUL character like an
    unknown one (400 ``does_not_exist``) instead of sending it to PostgreSQL, whose text cannot
    hold NUL (a database error, a 500; found by ``tests/test_openapi_fuzz.py``)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)
