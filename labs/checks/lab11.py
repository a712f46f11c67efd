"""Self-checks of lab 11 (why deep)."""

from __future__ import annotations

from collections.abc import Callable

from labs.checks._common import _call, _expected, _passed


def _parameter_count_cases() -> list[list[int]]:
    """Layer sizes, input first: the XOR net, the slides' MNIST net, Seide et al.'s 5 × 2k net, no hidden layer."""
    return [[2, 2, 1], [784, 500, 500, 10], [429, 2048, 2048, 9304], [4, 3]]


def _shallow_width_cases() -> list[tuple[int, int, int]]:
    """(parameters, inputs, outputs) of four deeper networks, to be matched by one hidden layer."""
    from labs.models import mlp_parameters, mlp_spec

    return [(mlp_parameters("10-20-20-5"), 10, 5),
            (mlp_parameters(mlp_spec(5, 2048, inputs=429, outputs=9304)), 429, 9304),
            (mlp_parameters("784-500-500-10"), 784, 10),
            (mlp_parameters("784-100-100-100-10"), 784, 10)]


def check_parameter_count(count: Callable) -> None:
    """Exercise: ``count(sizes)`` gives the number of weights and biases of a dense network."""
    for case, sizes in enumerate(_parameter_count_cases()):
        got = _call(count, "count", list(sizes))
        want = int(_expected(f"lab11.parameter_count.case{case}"))
        if got is None:
            raise AssertionError("count returned None: did you forget a `return`?")
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if got == weights:
            raise AssertionError(f"For {sizes} you counted {got}: only the weights. Each unit of every layer "
                                 "after the input also has a bias.")
        if got == want + sizes[0]:
            raise AssertionError(f"For {sizes} you counted {got}: the input layer has no biases "
                                 "(it only holds the inputs).")
        if got != want:
            raise AssertionError(f"For {sizes} you counted {got}; expected {want}. A layer of n_out units fed "
                                 "by n_in units has n_in·n_out weights and n_out biases.")
    _passed("parameter counts are right (784-500-500-10 has 648,010).")


def check_shallow_width(width: Callable) -> None:
    """Exercise: ``width(parameters, inputs, outputs)`` is the one-hidden-layer width with that many parameters."""
    for case, (parameters, n_in, n_out) in enumerate(_shallow_width_cases()):
        got = _call(width, "width", parameters, n_in, n_out)
        want = int(_expected(f"lab11.shallow_width.case{case}"))
        if got is None:
            raise AssertionError("width returned None: did you forget a `return`?")
        try:
            got_int = int(round(float(got)))
        except (TypeError, ValueError):
            raise AssertionError(f"width must return a number; got {type(got).__name__}.") from None
        if abs(got_int - want) > 1:
            without_bias = (parameters - n_out) / (n_in + n_out)
            hint = (" You left out the hidden biases: the net has (inputs + 1 + outputs)·w + outputs parameters."
                    if abs(got_int - without_bias) <= 1 else
                    " Solve (inputs + outputs + 1)·w + outputs = parameters for w.")
            raise AssertionError(f"For {parameters:,} parameters, {n_in} inputs and {n_out} outputs you gave width "
                                 f"{got_int}; expected {want}.{hint}")
    _passed("one-hidden-layer widths are right: 5 × 2k in Seide et al.'s net has as many parameters as 1 × 3772.")
