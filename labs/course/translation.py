"""The Chinese edition (中文版): one source, two languages, never out of step.

The English notebooks in ``notebooks/`` are the masters. Each has a translation catalogue,
``notebooks/zh/catalogue/<NN_name>.po``: a gettext file with one entry per markdown cell, whose
context (``msgctxt``) is the cell's id, whose ``msgid`` is the English text it translates and
whose ``msgstr`` is the Chinese. ``python -m labs translate`` then

1. brings every catalogue up to date with its master: a new markdown cell gets an empty entry,
   a cell whose English changed keeps its Chinese but is marked ``fuzzy`` with the English it
   translated kept as ``#| msgid`` (so the author sees what changed), and an entry whose cell is
   gone is kept as obsolete (``#~``);
2. builds ``notebooks/zh/<NN_name>.ipynb`` from the master: every code cell byte for byte, with
   the same ids and nbgrader metadata (so a Chinese submission is graded against the same master
   and the same grade ids), except the set-up cell, which also asks for ``lang="zh"``; every
   markdown cell from its catalogue, the header cell with a badge that opens the Chinese edition;
3. brings the package's message catalogue (``labs/locale``, see :mod:`labs.i18n`) up to date and
   compiles it.

``python -m labs translate --check`` changes nothing and fails when any markdown cell has no
translation or changed since it was translated, when a catalogue or a built notebook is not what
the command would write now, or when a message has no Chinese; the test suite runs it.

Updating a translation: edit the English master, run ``python -m labs translate``, open the
catalogue (any PO editor, e.g. Poedit, or a text editor), rewrite each ``fuzzy`` entry's
``msgstr`` (the ``#| msgid`` lines show the old English) and delete its ``fuzzy`` flag, fill
the empty ones, and run the command again. A cell whose Chinese is missing or stale is built
in English, so the Chinese notebook still runs, but ``--check`` fails until it is translated.
"""

from __future__ import annotations

import copy
import io
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labs.course.colab import strip_badge as _strip_badge
from labs.course.runner import NOTEBOOKS, ROOT, course_notebooks, resolve_notebooks
from labs.i18n import DOMAIN, LOCALE_DIR, check_language

EDITIONS = {"zh": NOTEBOOKS / "zh"}
MESSAGE_TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
EDITION_METADATA = "labs"  # notebook metadata key: {"language": "zh", "translates": "notebooks/NN.ipynb"}
_REQUIRES = re.compile(r'labs\.setup\(requires="(?P<version>[^"]+)"')
_HEADER = "dnn-labs"


def edition_folder(lang: str) -> Path:
    lang = check_language(lang)
    if lang not in EDITIONS:
        raise ValueError(f"lang {lang!r} is the masters' language; editions exist for {sorted(EDITIONS)}.")
    return EDITIONS[lang]


def catalogue_path(stem: str, lang: str = "zh") -> Path:
    return edition_folder(lang) / "catalogue" / f"{stem}.po"


def edition_path(stem: str, lang: str = "zh") -> Path:
    return edition_folder(lang) / f"{stem}.ipynb"


def edition_notebooks(lang: str = "zh") -> list[Path]:
    """The built notebooks of an edition, in course order."""
    return course_notebooks(edition_folder(lang))


def english_cells(nb: Any) -> list[tuple[str, str]]:
    """``(cell id, English text)`` of every markdown cell of a master, the header without its badge."""
    return [(cell.id, _strip_badge(cell.source)) for cell in nb.cells if cell.cell_type == "markdown"]


def read_catalogue(path: Path, lang: str = "zh"):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if not path.exists():
        return Catalog(locale=lang, project=_HEADER, domain=path.stem)
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=path.stem)


def write_catalogue(catalogue, path: Path | None = None) -> bytes:
    """The catalogue as PO bytes (cells in notebook order, no dates, so rebuilding changes nothing)."""
    from babel.messages.pofile import write_po

    catalogue.creation_date = catalogue.revision_date = _fixed_date()
    catalogue.fuzzy = False
    catalogue.header_comment = (
        f"# Chinese edition (中文版) of notebooks/{catalogue.domain}.ipynb: one entry per markdown cell;\n"
        "# msgctxt is the cell id, msgid the English master's text, msgstr the Chinese.\n"
        "# After editing the English, run `python -m labs translate`: changed cells are marked fuzzy\n"
        "# (it prints what changed); rewrite their msgstr, delete the fuzzy flag, run it again.")
    for message in catalogue:
        message.flags.discard("python-brace-format")  # markdown, not a str.format template
    out = io.BytesIO()
    write_po(out, catalogue, width=0, omit_header=False, no_location=True)
    data = out.getvalue()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return data


def _fixed_date():
    import datetime

    return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def english_hash(text: str) -> str:
    """The short SHA-256 of an English cell's text, recorded with the translation made from it."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_HASH_COMMENT = "en-sha256: "


def updated_catalogue(nb: Any, old, lang: str = "zh", changes: list[str] | None = None):
    """A catalogue with one entry per markdown cell of ``nb``, in order, carrying over ``old``'s
    translations: kept when the English is unchanged, kept and marked fuzzy when it changed (a
    unified diff of the English is appended to ``changes``). Each accepted translation (not
    fuzzy) records the hash of the English it translates (``#. en-sha256: …``)."""
    import difflib

    from babel.messages.catalog import Catalog, Message

    by_cell = {m.context: m for m in old if m.id and m.context}
    new = Catalog(locale=lang, project=_HEADER, domain=getattr(old, "domain", None))
    seen = set()
    for cell_id, text in english_cells(nb):
        seen.add(cell_id)
        before = by_cell.get(cell_id)
        if before is None:
            new.add(text, "", context=cell_id)
            continue
        flags = set(before.flags) - {"python-format", "python-brace-format"}
        comments = [c for c in before.auto_comments if not c.startswith(_HASH_COMMENT)]
        recorded = [c[len(_HASH_COMMENT):] for c in before.auto_comments if c.startswith(_HASH_COMMENT)]
        if before.string and before.id != text:
            flags.add("fuzzy")
            if changes is not None:
                diff = difflib.unified_diff(before.id.splitlines(), text.splitlines(), "translated English",
                                            "English now", lineterm="", n=1)
                changes.append(f"cell {cell_id}:\n" + "\n".join(diff))
        if "fuzzy" in flags and recorded[:1] == [english_hash(text)]:  # the English went back to what was translated
            flags.discard("fuzzy")
        if before.string and "fuzzy" not in flags:
            recorded = [english_hash(text)]
        new[text] = Message(text, before.string, context=cell_id, flags=flags,
                            auto_comments=comments + [_HASH_COMMENT + h for h in recorded[:1]],
                            user_comments=before.user_comments)
    new.obsolete.update(getattr(old, "obsolete", {}))
    for cell_id, message in by_cell.items():
        if cell_id not in seen and message.string:
            new.obsolete[(message.id, cell_id)] = message
    return new


@dataclass
class EditionReport:
    """What :func:`check_edition` found for one notebook."""

    stem: str
    cells: int = 0
    translated: int = 0
    stale: list[str] = field(default_factory=list)  # cell ids whose English changed since translation
    missing: list[str] = field(default_factory=list)  # cell ids with no Chinese
    out_of_date: list[str] = field(default_factory=list)  # files the command would rewrite
    english_words: int = 0
    chinese_characters: int = 0
    changes: list[str] = field(default_factory=list)  # diffs of English cells changed since translated

    @property
    def ok(self) -> bool:
        return not (self.stale or self.missing or self.out_of_date)


def _words(text: str) -> int:
    return len(text.split())


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def chinese_characters(text: str) -> int:
    """The Han characters in ``text`` (the usual length of Chinese prose)."""
    return len(_HAN.findall(text))


def build_edition(nb: Any, catalogue, name: str, lang: str = "zh") -> tuple[Any, EditionReport]:
    """The edition of master ``nb`` (saved as ``name``) from ``catalogue``, and what it lacked."""
    from labs.course import colab

    report = EditionReport(stem=Path(name).stem)
    built = copy.deepcopy(nb)
    by_cell = {m.context: m for m in catalogue if m.id and m.context}
    for cell in built.cells:
        if cell.cell_type != "markdown":
            continue
        text = _strip_badge(cell.source)
        report.cells += 1
        report.english_words += _words(text)
        entry = by_cell.get(cell.id)
        if entry is None or not entry.string:
            report.missing.append(cell.id)
        elif entry.id != text or entry.fuzzy or (_HASH_COMMENT + english_hash(text)) not in entry.auto_comments:
            report.stale.append(cell.id)
        else:
            report.translated += 1
            report.chinese_characters += chinese_characters(entry.string)
            cell.source = entry.string
    setup = next(c for c in built.cells if c.cell_type == "code")
    found = _REQUIRES.search(setup.source)
    colab.apply(built, name, requires=found.group("version") if found else None, lang=lang)
    built.metadata[EDITION_METADATA] = {"language": lang, "translates": f"notebooks/{Path(name).name}"}
    return built, report


def edition_language(nb: Any) -> str:
    """``"zh"`` for a notebook of the Chinese edition (a submission keeps the metadata), else ``"en"``."""
    meta = nb.get("metadata", {}).get(EDITION_METADATA, {})
    lang = meta.get("language", "en") if isinstance(meta, dict) else "en"
    try:
        return check_language(lang)
    except ValueError:
        return "en"


def translate_notebook(master: Path, lang: str = "zh", *, check: bool = False) -> EditionReport:
    """Update the catalogue and the built edition of one master (``check``: only compare)."""
    import nbformat

    nb = nbformat.read(master, as_version=4)
    path = catalogue_path(master.stem, lang)
    old = read_catalogue(path, lang)
    changes: list[str] = []
    catalogue = updated_catalogue(nb, old, lang, changes)
    catalogue.domain = master.stem
    data = write_catalogue(catalogue)
    built, report = build_edition(nb, catalogue, master.name, lang)
    text = nbformat.writes(built) + "\n"
    target = edition_path(master.stem, lang)
    if not path.exists() or path.read_bytes() != data:
        report.out_of_date.append(str(path.relative_to(ROOT)))
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        report.out_of_date.append(str(target.relative_to(ROOT)))
    report.changes = changes
    if not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        nbformat.validate(built)
        target.write_text(text, encoding="utf-8")
        report.out_of_date = []
    return report


def fill(stem: str, translations: dict[str, str], lang: str = "zh") -> EditionReport:
    """Set the Chinese of cells of ``notebooks/<stem>.ipynb`` (cell id -> text), as done in a PO
    editor: each given entry loses its fuzzy flag. Then rebuild that notebook's edition."""
    master = resolve_notebooks([stem])[0]
    path = catalogue_path(master.stem, lang)
    import nbformat

    catalogue = updated_catalogue(nbformat.read(master, as_version=4), read_catalogue(path, lang), lang)
    by_cell = {m.context: m for m in catalogue if m.id and m.context}
    unknown = sorted(set(translations) - set(by_cell))
    if unknown:
        raise ValueError(f"translations name cells {unknown} that {master.name} has no markdown cell for; "
                         f"its markdown cells are {sorted(by_cell)}.")
    for cell_id, text in translations.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the translation of cell {cell_id!r} must be non-empty text; got {text!r}.")
        entry = by_cell[cell_id]
        entry.string = text
        entry.flags.discard("fuzzy")
        entry.auto_comments = [c for c in entry.auto_comments if not c.startswith(_HASH_COMMENT)]
        entry.auto_comments.append(_HASH_COMMENT + english_hash(entry.id))
    catalogue.domain = master.stem
    write_catalogue(catalogue, path)
    return translate_notebook(master, lang)


# -- one glossary ------------------------------------------------------------------------------

TERMS_HEADING = {"en": "Terms · 术语", "zh": "术语 · Terms"}  # the lab's term table follows this line


def _table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set(cells[0]) <= set("-: ") or cells[0] in ("中文", "English"):
            continue
        rows.append(cells)
    return rows


def lab_terms(nb: Any, lang: str = "en") -> list[tuple[str, str]]:
    """``(中文, English)`` of each row of a lab's Terms table (the first two columns)."""
    marker = TERMS_HEADING[check_language(lang)]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and marker in cell.source:
            return [(row[0], row[1]) for row in _table_rows(cell.source.split(marker, 1)[1])]
    return []


def readme_glossary(text: str) -> list[tuple[str, str]]:
    """``(English, 中文)`` of each row of the README's glossary table."""
    section = text.split("## Glossary · 术语表", 1)[1]
    return [(row[0], row[1]) for row in _table_rows(section)]


def _head(term: str) -> str:
    """A term without its parenthesised additions: ``阈值 (偏置)`` -> ``阈值``, ``dropout (丢弃法)`` -> ``dropout``."""
    import unicodedata

    term = unicodedata.normalize("NFKC", term)
    return re.sub(r"\s*\([^)]*\)", "", term).strip().lower()


def term_pairs(chinese: str, english: str) -> list[tuple[str, str]]:
    """A row's terms one by one (``随机 / 批量更新`` with ``stochastic / batch updating`` gives two)."""
    zh_parts, en_parts = chinese.split(" / "), english.split(" / ")
    if len(zh_parts) != len(en_parts):
        return [(_head(chinese), _head(english))]
    return [(_head(z), _head(e)) for z, e in zip(zh_parts, en_parts)]


# -- the package's messages -------------------------------------------------------------------

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract_messages():
    """Every ``_("…")``, ``N_("…")`` and ``ngettext`` of the ``labs`` package, as a Babel template."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project=_HEADER, domain=DOMAIN)
    package = ROOT / "labs"
    for filename, lineno, message, comments, context in extract_from_dir(
        package, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(message, None, [(f"labs/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def fields(text: str) -> set[str]:
    """The ``str.format`` fields of a message, with conversion and format spec (``{name}``,
    ``{value:.3f}``, ``{raw!r}``): a translation must keep each one exactly."""
    try:
        return {f"{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}"
                for _, name, spec, conversion in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        return {f"<unparsable: {error}>"}


@dataclass
class MessagesReport:
    messages: int = 0
    translated: int = 0
    missing: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    wrong_fields: list[str] = field(default_factory=list)  # a translation whose {fields} differ
    out_of_date: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.fuzzy or self.wrong_fields or self.out_of_date)


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def update_messages(lang: str = "zh", *, check: bool = False) -> MessagesReport:
    """Extract the package's messages, update ``lang``'s catalogue and compile it (``check``: compare)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    report = MessagesReport()
    template = extract_messages()
    po_file = _po_path(lang)
    if po_file.exists():
        with po_file.open("rb") as f:
            catalogue = read_po(f, locale=lang, domain=DOMAIN)
    else:
        from babel.messages.catalog import Catalog

        catalogue = Catalog(locale=lang, domain=DOMAIN, project=_HEADER)
    catalogue.update(template, no_fuzzy_matching=False, update_header_comment=False)
    catalogue.header_comment = template.header_comment = (
        "# Messages of the labs package (self-checks, set-up, runner, grader, feedback).\n"
        "# `python -m labs translate` extracts them from the code, updates this file and compiles it.")
    catalogue.project = template.project = _HEADER
    catalogue.creation_date = catalogue.revision_date = template.creation_date = _fixed_date()
    for message in catalogue:
        if not message.id:
            continue
        report.messages += 1
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            report.missing.append(singular)
        elif message.fuzzy:
            report.fuzzy.append(singular)
        else:
            report.translated += 1
            if any(fields(s) != fields(singular) for s in strings):
                report.wrong_fields.append(singular)
    outputs = {}
    for path, writer, cat in ((MESSAGE_TEMPLATE, write_po, template), (po_file, write_po, catalogue)):
        out = io.BytesIO()
        writer(out, cat, width=0, sort_output=True, include_lineno=False)  # a moved line changes nothing
        outputs[path] = out.getvalue()
    out = io.BytesIO()
    write_mo(out, catalogue, use_fuzzy=False)
    outputs[po_file.with_suffix(".mo")] = out.getvalue()
    for path, data in outputs.items():
        if not path.exists() or path.read_bytes() != data:
            report.out_of_date.append(str(path.relative_to(ROOT)))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    if not check:
        report.out_of_date = []
        from labs.i18n import translations

        translations.cache_clear()
    return report


def fill_messages(translations: dict[str, str], lang: str = "zh") -> MessagesReport:
    """Set the translation of messages (English msgid -> text), as done in a PO editor, then
    extract, update and compile the catalogue. A msgid the code does not use is an error."""
    from babel.messages.pofile import read_po, write_po

    update_messages(lang)
    po_file = _po_path(lang)
    with po_file.open("rb") as f:
        catalogue = read_po(f, locale=lang, domain=DOMAIN)
    unknown = [msgid for msgid in translations if catalogue.get(msgid) is None]
    if unknown:
        raise ValueError(f"no message of the code reads {unknown[0]!r} (and {len(unknown) - 1} more); "
                         "translate the text exactly as it stands inside _(…).")
    for msgid, text in translations.items():
        message = catalogue.get(msgid)
        if fields(text) != fields(msgid):
            raise ValueError(f"the translation of {msgid!r} has the fields {sorted(fields(text))}; "
                             f"the English has {sorted(fields(msgid))}: keep every {{field}} exactly.")
        message.string = text
        message.flags.discard("fuzzy")
        message.previous_id = []  # the English Babel matched it to is no longer what it translates
    with po_file.open("wb") as f:
        write_po(f, catalogue, width=0, sort_output=True, include_lineno=False)
    return update_messages(lang)


def run_command(names: list[str] | None = None, *, lang: str = "zh", check: bool = False) -> int:
    """``python -m labs translate``: update (or ``check``) catalogues, editions and messages."""
    from labs.tables import format_table

    lang = check_language(lang, "--lang")
    masters = resolve_notebooks(names)
    rows, problems = [], []
    for master in masters:
        report = translate_notebook(master, lang, check=check)
        rows.append({"lab": master.stem, "markdown cells": report.cells, "translated": report.translated,
                     "stale": len(report.stale), "missing": len(report.missing),
                     "English words": report.english_words, "Chinese characters": report.chinese_characters})
        for change in report.changes:
            print(f"{master.stem}, {change}")
        if report.stale:
            problems.append(f"{master.stem}: English changed since the translation of cells {', '.join(report.stale)}")
        if report.missing:
            problems.append(f"{master.stem}: no Chinese for cells {', '.join(report.missing)}")
        problems += [f"{path}: not what `python -m labs translate` builds now" for path in report.out_of_date]
    messages = update_messages(lang, check=check)
    import pandas as pd

    print(format_table(pd.DataFrame(rows)).to_string(index=False))
    print(f"messages: {messages.translated} of {messages.messages} translated")
    for label, items in (("no Chinese", messages.missing), ("fuzzy (English changed)", messages.fuzzy),
                         ("fields differ from the English", messages.wrong_fields)):
        if items:
            problems.append(f"messages with {label}: " + "; ".join(repr(m[:60]) for m in items[:5])
                            + (f" and {len(items) - 5} more" if len(items) > 5 else ""))
    problems += [f"{path}: not what `python -m labs translate` writes now" for path in messages.out_of_date]
    for problem in problems:
        print("•", problem)
    if problems and check:
        print("Run `python -m labs translate`, then translate what it lists (see labs/course/translation.py).")
        return 1
    return 0
