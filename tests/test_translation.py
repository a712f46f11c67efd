"""The Chinese edition: current with every English master, built from it, and messages in Chinese."""

from __future__ import annotations

import copy
import re
import subprocess
import sys

import nbformat
import pytest

from labs import i18n
from labs.course import colab, translation
from labs.course.runner import ROOT, course_notebooks

MASTERS = course_notebooks()
HAN = re.compile(r"[\u4e00-\u9fff]")


def _master(stem: str):
    return nbformat.read(translation.NOTEBOOKS / f"{stem}.ipynb", as_version=4)


def test_every_master_has_a_current_chinese_edition():
    """The test that fails the moment the editions disagree: an English markdown cell changed since
    it was translated or has no translation, a catalogue or a built notebook is not what
    `python -m labs translate` writes now, or a message lacks its Chinese."""
    result = subprocess.run([sys.executable, "-m", "labs", "translate", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert [p.name for p in translation.edition_notebooks("zh")] == [p.name for p in MASTERS]


@pytest.mark.parametrize("stem", [p.stem for p in MASTERS])
def test_an_edited_english_cell_makes_its_translation_stale(stem):
    """Change one English cell of the master in memory: the built edition reports exactly that cell."""
    nb = _master(stem)
    catalogue = translation.read_catalogue(translation.catalogue_path(stem))
    cell = [c for c in nb.cells if c.cell_type == "markdown"][1]
    cell.source += "\n\nOne sentence more."
    changes: list[str] = []
    updated = translation.updated_catalogue(nb, catalogue, changes=changes)
    _, report = translation.build_edition(nb, updated, f"{stem}.ipynb")
    assert report.stale == [cell.id]
    assert len(changes) == 1 and "+One sentence more." in changes[0]
    # ... and the built cell falls back to the English, so the edition never shows a stale translation
    built, _ = translation.build_edition(nb, updated, f"{stem}.ipynb")
    assert next(c for c in built.cells if c.id == cell.id).source == cell.source


def test_a_new_cell_has_no_translation_and_a_removed_one_is_kept_as_obsolete():
    nb = _master("01_perceptron")
    catalogue = translation.read_catalogue(translation.catalogue_path("01_perceptron"))
    new = nbformat.v4.new_markdown_cell("A new paragraph.", id="01-new")
    gone = [c for c in nb.cells if c.cell_type == "markdown"][2]
    nb.cells = [c for c in nb.cells if c is not gone] + [new]
    updated = translation.updated_catalogue(nb, catalogue)
    _, report = translation.build_edition(nb, updated, "01_perceptron.ipynb")
    assert report.missing == ["01-new"]
    assert any(context == gone.id for _, context in updated.obsolete)


def test_a_translation_the_english_went_back_to_is_current_again():
    nb = _master("01_perceptron")
    catalogue = translation.read_catalogue(translation.catalogue_path("01_perceptron"))
    cell = [c for c in nb.cells if c.cell_type == "markdown"][1]
    original = cell.source
    cell.source = original + " (edited)"
    edited = translation.updated_catalogue(nb, catalogue)
    cell.source = original
    back = translation.updated_catalogue(nb, edited)
    _, report = translation.build_edition(nb, back, "01_perceptron.ipynb")
    assert report.stale == [] and report.missing == []


@pytest.mark.parametrize("stem", [p.stem for p in MASTERS])
def test_the_chinese_code_is_the_english_code(stem):
    """Same cells, ids and nbgrader metadata; code byte for byte, but the set-up cell asks for Chinese."""
    english, chinese = _master(stem), nbformat.read(translation.edition_path(stem), as_version=4)
    assert [(c.id, c.cell_type, c.metadata) for c in english.cells] == [
        (c.id, c.cell_type, c.metadata) for c in chinese.cells]
    setup = next(i for i, c in enumerate(english.cells) if c.cell_type == "code")
    for i, (en, zh) in enumerate(zip(english.cells, chinese.cells)):
        if en.cell_type == "code" and i != setup:
            assert zh.source == en.source, f"code cell {en.id} differs"
    requires = re.search(r'requires="([^"]+)"', english.cells[setup].source).group(1)
    assert english.cells[setup].source == colab.first_cell(requires)
    assert chinese.cells[setup].source == colab.first_cell(requires, lang="zh")
    differ = set(chinese.cells[setup].source.splitlines()) ^ set(english.cells[setup].source.splitlines())
    assert differ == {f'labs.setup(requires="{requires}")', f'labs.setup(requires="{requires}", lang="zh")'}
    assert chinese.metadata["labs"] == {"language": "zh", "translates": f"notebooks/{stem}.ipynb"}
    assert translation.edition_language(chinese) == "zh" and translation.edition_language(english) == "en"


@pytest.mark.parametrize("stem", [p.stem for p in MASTERS])
def test_the_chinese_prose_is_chinese(stem):
    """Each markdown cell of the edition has Han characters (a cell left in English would not)."""
    chinese = nbformat.read(translation.edition_path(stem), as_version=4)
    english = {c.id: c.source for c in _master(stem).cells}
    for cell in chinese.cells:
        if cell.cell_type == "markdown":
            assert HAN.search(cell.source), f"{stem} cell {cell.id} has no Chinese"
            assert cell.source != english[cell.id], f"{stem} cell {cell.id} is the English text"
    header = next(c for c in chinese.cells if c.cell_type == "markdown").source
    assert header.startswith(colab.badge(f"{stem}.ipynb", lang="zh"))
    assert f"notebooks/zh/{stem}.ipynb" in header


def test_latex_and_code_spans_survive_translation():
    """Formulas and code names are the same in both languages (one missing `$` breaks a page)."""
    for master in MASTERS:
        english = {c.id: c.source for c in _master(master.stem).cells if c.cell_type == "markdown"}
        chinese = nbformat.read(translation.edition_path(master.stem), as_version=4)
        for cell in chinese.cells:
            if cell.cell_type != "markdown":
                continue
            en, zh = english[cell.id], cell.source
            assert en.count("$$") == zh.count("$$"), f"{master.stem} {cell.id}: display formulas differ"
            assert en.count("$") % 2 == 0 and zh.count("$") % 2 == 0, f"{master.stem} {cell.id}: unpaired $"
            assert zh.count("```") == en.count("```"), f"{master.stem} {cell.id}: code blocks differ"


def test_messages_keep_their_fields():
    """Every Chinese message keeps exactly the English {fields} (a missing one raises KeyError when shown)."""
    from babel.messages.pofile import read_po

    with (i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / "labs.po").open("rb") as f:
        catalogue = read_po(f)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 50
    for message in messages:
        assert message.string, f"no Chinese for {message.id!r}"
        assert translation.fields(message.string) == translation.fields(message.id), message.id
        assert HAN.search(message.string) or not HAN.search(message.id), message.id


def test_fill_refuses_a_translation_that_drops_a_field():
    with pytest.raises(ValueError, match="fields"):
        translation.fill_messages({"{name} is None: did you forget a `return`?": "是 None"})


def test_fields_see_conversions_and_specs():
    assert translation.fields("{a} {b:.3f} {c!r}") == {"a", "b:.3f", "c!r"}
    assert translation.fields("{b:.3f}") != translation.fields("{b}")


# -- choosing the language ---------------------------------------------------------------------

def test_the_language_comes_from_labs_lang_or_the_call(monkeypatch):
    monkeypatch.delenv("LABS_LANG", raising=False)
    i18n.set_language(None)
    assert i18n.language() == "en"
    monkeypatch.setenv("LABS_LANG", "zh")
    assert i18n.language() == "zh"
    assert HAN.search(i18n._("No GPU found: training runs on the CPU."))
    with i18n.speaking("en"):
        assert i18n._("No GPU found: training runs on the CPU.") == "No GPU found: training runs on the CPU."
    monkeypatch.setenv("LABS_LANG", "zh_CN")
    assert i18n.language() == "zh"


def test_a_bad_language_is_named(monkeypatch):
    monkeypatch.setenv("LABS_LANG", "klingon")
    i18n.set_language(None)
    with pytest.raises(ValueError, match="LABS_LANG must be one of 'en'.*'zh'.*got 'klingon'"):
        i18n.language()
    with pytest.raises(ValueError, match="lang must be one of"):
        i18n.set_language("fr")


def test_setup_speaks_chinese_when_asked(capsys, monkeypatch):
    import labs

    monkeypatch.delenv("LABS_LANG", raising=False)
    try:
        labs.setup(lang="zh")
        out = capsys.readouterr().out
        assert "设备" in out and "随机种子" in out
        with pytest.raises(ValueError, match="lang must be one of"):
            labs.setup(lang="de")
    finally:
        i18n.set_language(None)
    labs.setup()
    assert "Device:" in capsys.readouterr().out


def test_an_english_run_is_untouched_by_the_catalogue(monkeypatch):
    monkeypatch.delenv("LABS_LANG", raising=False)
    i18n.set_language(None)
    from labs.checks import check_close

    with pytest.raises(AssertionError, match="differs from the expected value"):
        check_close("w", [1.0, 2.0], [1.0, 3.0])
    with i18n.speaking("zh"), pytest.raises(AssertionError, match="与期望值不同"):
        check_close("w", [1.0, 2.0], [1.0, 3.0])


def test_the_readme_links_the_chinese_edition():
    text = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    for master in MASTERS:
        assert colab.colab_url(master.name, lang="zh") in text
    for command in ("python -m labs translate", "python -m labs release", "python -m labs grade"):
        assert command in text


def test_a_copy_keeps_the_edition_metadata():
    """A student's copy (Colab's "Copy of …") keeps the notebook metadata the grader reads."""
    chinese = nbformat.read(translation.edition_path("01_perceptron"), as_version=4)
    copied = nbformat.reads(nbformat.writes(copy.deepcopy(chinese)), as_version=4)
    assert translation.edition_language(copied) == "zh"


# -- one glossary ------------------------------------------------------------------------------

def _glossary() -> dict[str, str]:
    """English head term -> Chinese head term, from the README's glossary; a term twice is an error."""
    table: dict[str, str] = {}
    for english, chinese in translation.readme_glossary((ROOT / "README.md").read_text(encoding="utf-8")):
        for zh, en in translation.term_pairs(chinese, english):
            assert table.get(en, zh) == zh, f"the glossary gives {en!r} as both {table[en]!r} and {zh!r}"
            table[en] = zh
    return table


def test_the_glossary_gives_each_term_one_chinese_word():
    assert len(_glossary()) > 100


@pytest.mark.parametrize("stem", [p.stem for p in MASTERS])
def test_every_labs_terms_come_from_the_glossary(stem):
    """Each row of a lab's Terms table, in both editions, uses the glossary's Chinese for its term."""
    glossary = _glossary()
    english = translation.lab_terms(_master(stem), "en")
    chinese = translation.lab_terms(nbformat.read(translation.edition_path(stem), as_version=4), "zh")
    assert english, f"{stem} has no Terms table"
    assert [translation.term_pairs(*row) for row in english] == [translation.term_pairs(*row) for row in chinese], (
        f"{stem}: the Chinese edition's Terms table names other terms than the English one")
    for row in english:
        for zh, en in translation.term_pairs(*row):
            assert en in glossary, f"{stem}: {en!r} is not in the README's glossary"
            assert glossary[en] == zh, f"{stem}: {en!r} is {zh!r} here but {glossary[en]!r} in the glossary"


def test_a_term_translated_two_ways_is_caught(tmp_path):
    text = "## Glossary · 术语表\n\n| English | 中文 | labs |\n|---|---|---|\n| plateau | 平台 | 02 |\n| plateau | 平坦区域 | 05 |\n"
    table = {}
    clashes = []
    for english, chinese in translation.readme_glossary(text):
        for zh, en in translation.term_pairs(chinese, english):
            if table.get(en, zh) != zh:
                clashes.append(en)
            table[en] = zh
    assert clashes == ["plateau"]
