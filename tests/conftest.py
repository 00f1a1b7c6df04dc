"""Fixtures shared by the test files."""

from __future__ import annotations

import pytest

from journey import i18n


@pytest.fixture
def zh_session():
    """Chinese as the session language for one test, English again afterwards."""
    before = i18n.get_language()
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language(before)
