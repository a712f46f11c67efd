"""Messages in the student's language: English by default, Chinese (中文) when asked.

The language is, in order: the one given to :func:`set_language` (``labs.setup(lang="zh")`` calls
it, and the Chinese notebooks' set-up cell does so), else the ``LABS_LANG`` environment variable,
else English. Every message a student or an instructor reads (self-checks, ``labs.setup()``'s
report, the runner, the grader and the feedback pages) goes through :func:`_`, which looks it up
in the gettext catalogue ``labs/locale/<lang>/LC_MESSAGES/labs.mo``.

The catalogues are standard gettext files managed with Babel: ``python -m labs translate``
extracts every ``_("…")`` of the package into ``labs/locale/labs.pot``, brings
``labs/locale/zh/LC_MESSAGES/labs.po`` up to date (new messages appear untranslated, changed ones
are marked fuzzy with their previous English kept) and compiles the ``.mo`` file the package
reads. Messages are ``str.format`` templates with named fields, so a translation may put the
fields in another order: ``_("{name} has shape {shape}").format(name=..., shape=...)``. Plot
labels stay English (Chinese fonts are not guaranteed on Colab).
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DOMAIN = "labs"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = {"en": "English", "zh": "中文"}
VARIABLE = "LABS_LANG"
_CHOSEN: list[str] = []


def check_language(lang: object, name: str = "lang") -> str:
    """``lang`` as a language code of the course, or a ValueError that names ``name``."""
    if isinstance(lang, str):
        code = lang.strip().lower().replace("_", "-")
        code = {"zh-cn": "zh", "zh-hans": "zh", "cn": "zh", "en-us": "en", "en-gb": "en"}.get(code, code)
        if code in LANGUAGES:
            return code
    choices = ", ".join(f"{code!r} ({label})" for code, label in LANGUAGES.items())
    raise ValueError(f"{name} must be one of {choices}; got {lang!r}.")


def set_language(lang: str | None) -> None:
    """Speak ``lang`` from now on in this process; ``None`` goes back to ``LABS_LANG`` (or English)."""
    _CHOSEN[:] = [] if lang is None else [check_language(lang)]


def language() -> str:
    """The language messages are written in now: ``"en"`` or ``"zh"``."""
    if _CHOSEN:
        return _CHOSEN[0]
    raw = os.environ.get(VARIABLE, "").strip()
    return check_language(raw, VARIABLE) if raw else "en"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English is the source, so it needs none)."""
    lang = check_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
    except FileNotFoundError:
        raise FileNotFoundError(
            f"labs has no compiled {LANGUAGES[lang]} catalogue ({LOCALE_DIR / lang / 'LC_MESSAGES' / DOMAIN}.mo): "
            "reinstall labs, or run `python -m labs translate` in a copy of the course."
        ) from None


def _(message: str) -> str:
    """``message`` in the current language (itself when it has no translation)."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message, for ``n``, in the current language."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (for module-level
    constants): pass the value through :func:`_` where it is shown."""
    return message


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Speak ``lang`` inside a ``with`` block (``None``: leave the language as it is)."""
    saved = list(_CHOSEN)
    if lang is not None:
        set_language(lang)
    try:
        yield
    finally:
        _CHOSEN[:] = saved
