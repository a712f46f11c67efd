"""Similar answers across students: a copy is flagged, a coincidence, a stub and the course's own code are not."""

from __future__ import annotations

import csv

import nbformat
import pytest

from labs.__main__ import SIMILARITY_COMMON, SIMILARITY_MIN_TOKENS, SIMILARITY_THRESHOLD, main
from labs.course import similarity
from labs.course.grading import Master
from labs.course.runner import NOTEBOOKS

from .submissions import answered, solution

pytest.importorskip("copydetect")

LAB = "12_deep_training"
RESIDUAL = 4  # the residual-block exercise of lab 12
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

ORIGINAL = '''def residual_block(x, width, activation="relu"):
    h = keras.layers.Dense(width, activation=activation)(x)
    h = keras.layers.Dense(width)(h)
    if x.shape[-1] != width:
        x = keras.layers.Dense(width, use_bias=False)(x)
    out = keras.layers.Add()([h, x])
    return keras.layers.Activation(activation)(out)
'''
# The same code with every name changed, lines broken and joined otherwise, blank lines and comments
# added (one of them trying to break out of the report's HTML).
RENAMED_COPY = '''def residual_block(inputs, units, activation = "relu"):
    # my residual block </pre><script>alert("copied")</script>
    hidden = keras.layers.Dense(units,
                                activation=activation)(inputs)
    hidden = keras.layers.Dense(units)(hidden)

    if inputs.shape[-1] != units:   # project the shortcut
        inputs = keras.layers.Dense(units, use_bias = False)(inputs)
    summed = keras.layers.Add()([hidden, inputs])
    return keras.layers.Activation(activation)(summed)
'''
INDEPENDENT = '''def residual_block(x, width, activation="relu"):
    shortcut = x
    if int(x.shape[-1]) != width:
        shortcut = keras.layers.Dense(width, use_bias=False)(x)
    y = keras.layers.Dense(width)(x)
    y = keras.layers.Activation(activation)(y)
    y = keras.layers.Dense(width, activation=None)(y)
    return keras.layers.Activation(activation)(keras.layers.add([y, shortcut]))
'''
# He initialisation is one line: two students who both write it right write the same tokens.
ONE_LINER = '''def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
'''
ONE_LINER_TOO = '''def he_normal(n_in, n_out, generator):
    return generator.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))  # He et al. 2015
'''


def _write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    """Five students of lab 12: a copy pair, an independent answer, and two equal one-liners;
    exercise 1 left as the stub by all."""
    folder = tmp_path_factory.mktemp("similar")
    answers = {
        "ann": {1: STUB, 2: STUB, 3: STUB, RESIDUAL: ORIGINAL},
        "bob": {1: STUB, 2: STUB, 3: STUB, RESIDUAL: RENAMED_COPY},
        "cat": {1: STUB, 2: STUB, 3: STUB, RESIDUAL: INDEPENDENT},
        "dan": {1: STUB, 2: ONE_LINER, 3: STUB, RESIDUAL: STUB},
        "eve": {1: STUB, 2: ONE_LINER_TOO, 3: STUB, RESIDUAL: STUB},
    }
    for student, given in answers.items():
        _write(answered(LAB, given), folder / student / f"Copy of {LAB}.ipynb")
    return folder


@pytest.fixture(scope="module")
def report(class_folder):
    return similarity.find_similar(class_folder, notebook="12")


def test_a_renamed_and_reformatted_copy_is_flagged(report):
    flagged = [(p.exercise, p.a.student, p.b.student) for p in report.pairs]
    assert flagged == [(RESIDUAL, "ann", "bob")], flagged
    pair = report.pairs[0]
    assert pair.similarity >= 0.9 and pair.grade_id.startswith(LAB)


def test_an_independent_answer_is_not_flagged(report, class_folder):
    everything = similarity.find_similar(class_folder, notebook="12", threshold=0.01)
    scores = {(p.a.student, p.b.student): p.similarity for p in everything.pairs if p.exercise == RESIDUAL}
    assert scores[("ann", "bob")] >= 0.9
    assert all(score < 0.5 for pair, score in scores.items() if "cat" in pair), scores


def test_short_answers_and_stubs_are_never_flagged(report, class_folder):
    # the one-liners are the same tokens once names are normalised, but too short to tell a copy from a coincidence
    assert similarity.token_count(similarity.own_code(ONE_LINER, set())) < SIMILARITY_MIN_TOKENS
    lenient = similarity.find_similar(class_folder, notebook="12", threshold=0.01)
    assert not [p for p in lenient.pairs if p.exercise in (1, 2)]
    assert report.short[LAB, 2] == 2 and report.compared[LAB, 2] == 0
    assert report.unanswered[LAB, 1] == 5 and report.compared[LAB, 1] == 0
    # with no minimum, the coincidence would be reported: the minimum is what keeps it out
    strict = similarity.find_similar(class_folder, notebook="12", min_tokens=1)
    assert [(p.exercise, p.a.student, p.b.student) for p in strict.pairs if p.exercise == 2] == [(2, "dan", "eve")]


def test_the_course_lines_are_left_out():
    master = Master.load(NOTEBOOKS / "01_perceptron.ipynb")
    exercise = master.exercises[0]
    course = similarity.course_lines(master, exercise.answer_id)
    own = similarity.own_code(solution("01_perceptron", 1), course)
    assert "def perceptron_update" not in own and '"""' not in own and "BEGIN SOLUTION" not in own
    assert "return w + lr * (t - z) * x" in own
    assert similarity.own_code(master.stubs[exercise.answer_id], course).strip() == ""
    # lab 12's answer cells hold the whole function: its signature is the course's, its body the student's
    master12 = Master.load(NOTEBOOKS / f"{LAB}.ipynb")
    own12 = similarity.own_code(ORIGINAL, similarity.course_lines(master12, master12.exercises[RESIDUAL - 1].answer_id))
    assert not own12.startswith("def ") and "keras.layers.Add()" in own12
    renamed = similarity.own_code(RENAMED_COPY, similarity.course_lines(master12, master12.exercises[RESIDUAL - 1].answer_id))
    assert "def residual_block" not in renamed  # the signature is the course's, whatever its parameters are called


def test_code_most_of_the_class_wrote_alike_is_not_counted(tmp_path):
    for i in range(4):
        _write(answered(LAB, {3: STUB, RESIDUAL: ORIGINAL.replace("out", f"out{i}")}), tmp_path / f"s{i}" / f"{LAB}.ipynb")
    assert len(similarity.find_similar(tmp_path, notebook="12").pairs) == 6  # 4 students, every pair
    assert similarity.find_similar(tmp_path, notebook="12", common=3).pairs == []  # shared by all 4 > 3


def test_command_writes_an_escaped_report_and_a_csv_and_changes_no_grade(class_folder, tmp_path, capsys):
    out = tmp_path / "report" / "similar.html"
    assert main(["similarity", str(class_folder), "--lab", "12", "--out", str(out)]) == 0
    assert f"12_deep_training exercise {RESIDUAL}: ann and bob" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page and "http" not in page  # offline, escaped
    assert "<mark>" in page and "<span class='course'>def residual_block(x, width" in page  # the whole cells
    with open(out.with_suffix(".csv"), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student_a"], r["student_b"], r["exercise"]) for r in rows] == [("ann", "bob", str(RESIDUAL))]
    assert tuple(rows[0]) == similarity.CSV_COLUMNS and float(rows[0]["similarity"]) >= 0.9
    assert main(["similarity", str(class_folder), "--threshold", "1.5"]) == 2


def test_defaults_agree_with_the_command_line():
    assert (similarity.DEFAULT_THRESHOLD, similarity.DEFAULT_MIN_TOKENS, similarity.DEFAULT_COMMON) == (
        SIMILARITY_THRESHOLD, SIMILARITY_MIN_TOKENS, SIMILARITY_COMMON)


def test_grade_can_write_the_similarity_report_next_to_its_csv(class_folder, tmp_path):
    folder = tmp_path / "nothing_to_run"
    (folder / "pdf_only").mkdir(parents=True)
    (folder / "pdf_only" / "answers.pdf").write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "grades" / "lab12.csv"
    assert main(["grade", str(folder), "--notebook", "12", "--out", str(out), "--similarity"]) == 0
    assert out.is_file() and (tmp_path / "grades" / "lab12-similarity.html").is_file()
    assert (tmp_path / "grades" / "lab12-similarity.csv").read_text(encoding="utf-8").startswith("notebook,exercise")
