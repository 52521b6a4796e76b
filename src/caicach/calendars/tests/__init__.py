"""Tests of the pure working-day calendar engine (no Django)."""
