"""Fixtures for the project-level tests: the same as every app's."""

from caicach.conftest import *  # noqa: F403
