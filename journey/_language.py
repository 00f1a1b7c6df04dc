"""The session's language (English / Chinese), below every module that speaks.

:func:`journey.i18n.set_language` and :func:`journey.i18n.get_language` live here and are
re-exported by :mod:`journey.i18n`; ``_resolve`` gives the language a function is to use.
"""

from __future__ import annotations

from journey.errors import JourneyError

__all__ = ["LANGUAGES", "_resolve", "get_language", "set_language"]

LANGUAGES = ("en", "zh")
_language = "en"


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise JourneyError(f"language {lang!r} is not supported; use 'en' (English) or "
                           "'zh' (简体中文)")
    return lang


def set_language(lang: str) -> None:
    """Set the default language of figure labels and report text for this session.

    Parameters
    ----------
    lang : {"en", "zh"}
        ``"zh"`` for simplified Chinese, ``"en"`` for English (the default).

    Examples
    --------
    >>> set_language("zh")
    >>> get_language()
    'zh'
    >>> set_language("en")
    """
    global _language
    _language = _check(lang)


def get_language() -> str:
    """The session's language, ``"en"`` or ``"zh"`` (see :func:`set_language`).

    Functions that take ``lang=None`` use this value.

    Examples
    --------
    >>> get_language()
    'en'
    """
    return _language


def _resolve(lang: str | None) -> str:
    """The language to use: ``lang`` checked, or the session's for None."""
    return _check(_language if lang is None else lang)
