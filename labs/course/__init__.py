"""Instructor tooling: run the course, annotate and release the exercises, grade submissions,
and rewrite the notebooks' Colab cells. Notebooks never import it, and ``import labs`` does not
either; it needs the instructor requirements (``requirements-dev.txt``)."""
