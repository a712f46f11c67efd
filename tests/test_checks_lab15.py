"""Lab 15's self-checks accept right answers, explain the usual mistakes and measure the β choice."""

import numpy as np
import pytest
from keras import ops

from labs import checks
from labs.checks import lab15


def stub(*args):
    raise NotImplementedError()


# --- Exercise 1: GAN losses ---------------------------------------------------------------------------

def d_loss(d_real, d_fake):
    return -(ops.mean(ops.log(d_real)) + ops.mean(ops.log(1.0 - d_fake)))


def saturating(d_fake):
    return ops.mean(ops.log(1.0 - d_fake))


def non_saturating(d_fake):
    return -ops.mean(ops.log(d_fake))


def test_gan_losses_check_passes(capsys):
    checks.check_gan_losses(d_loss, saturating, non_saturating)
    assert "✓" in capsys.readouterr().out


def test_gan_loss_values_agree_with_their_definitions():
    """The check's stored numbers are the definitions evaluated on its cases."""
    real, fake = np.array(lab15.D_REAL), np.array(lab15.D_FAKE)
    assert lab15.D_LOSS == pytest.approx(-(np.log(real).mean() + np.log(1 - fake).mean()), rel=1e-12)
    assert lab15.SATURATING == pytest.approx(np.log(1 - fake).mean(), rel=1e-12)
    assert lab15.NON_SATURATING == pytest.approx(-np.log(fake).mean(), rel=1e-12)


@pytest.mark.parametrize("losses, message", [
    ((lambda r, f: -d_loss(r, f), saturating, non_saturating), "objective D maximises"),
    ((lambda r, f: d_loss(f, r), saturating, non_saturating), "swapped the roles"),
    ((lambda r, f: -(ops.sum(ops.log(r)) + ops.sum(ops.log(1.0 - f))), saturating, non_saturating), "summed"),
    ((d_loss, non_saturating, saturating), "the two generator losses are swapped"),
    ((d_loss, lambda f: -saturating(f), non_saturating), "other generator loss|wrong sign"),
    ((d_loss, saturating, lambda f: ops.mean(ops.log(f))), "wrong sign"),
    ((d_loss, saturating, lambda f: -ops.sum(ops.log(f))), "summed"),
    ((d_loss, saturating, lambda f: -ops.log(f)), "one number"),
    ((d_loss, lambda f: np.mean(np.log(1.0 - np.asarray(f))), non_saturating), "GradientTape cannot follow"),
    ((stub, saturating, non_saturating), "not written yet"),
    ((lambda r, f: None, saturating, non_saturating), "forget a `return`"),
])
def test_gan_losses_check_explains_mistakes(losses, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_gan_losses(*losses)


# --- Exercise 2: KL -----------------------------------------------------------------------------------

def right_kl(mean, log_var):
    return 0.5 * np.sum(mean ** 2 + np.exp(log_var) - log_var - 1.0, axis=1)


def test_kl_check_passes(capsys):
    checks.check_kl_standard_normal(right_kl)
    assert "✓" in capsys.readouterr().out


def test_kl_values_agree_with_the_closed_form():
    assert np.allclose(right_kl(np.array(lab15.KL_MEAN), np.array(lab15.KL_LOG_VAR)), lab15.KL_EXPECTED, rtol=1e-12)


@pytest.mark.parametrize("wrong, message", [
    (lambda m, v: 2 * right_kl(m, v), "factor 1/2"),
    (lambda m, v: right_kl(m, v) / m.shape[1], "averaged over the code's units"),
    (lambda m, v: 0.5 * np.sum(m ** 2 + np.exp(2 * v) - 2 * v - 1, axis=1), "log σ"),
    (lambda m, v: 0.5 * np.sum(m ** 2 + np.exp(v) - v, axis=1), "must be 0"),
    (lambda m, v: 0.5 * np.sum(np.exp(v) - v - 1, axis=1), "μ² term"),
    (lambda m, v: 0.5 * np.sum(np.exp(-v) * (1 + m ** 2) + v - 1, axis=1), "other direction"),
    (lambda m, v: 0.5 * np.sum(m ** 2 + np.exp(v) + v - 1, axis=1), "wrong sign"),
    (lambda m, v: 0.5 * (m ** 2 + np.exp(v) - v - 1), "one number per unit"),
    (lambda m, v: -right_kl(m, v), "never negative"),
    (lambda m, v: right_kl(m, v)[:2], r"shape \(3,\)"),
    (stub, "not written yet"),
])
def test_kl_check_explains_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_kl_standard_normal(wrong)


# --- Exercise 3: reparameterisation -------------------------------------------------------------------

def right_reparameterize(mean, log_var, eps):
    return mean + ops.exp(0.5 * log_var) * eps


def test_reparameterize_check_passes(capsys):
    checks.check_reparameterize(right_reparameterize)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda m, v, e: m + ops.exp(v) * e, "by the variance"),
    (lambda m, v, e: m + e, "variance 1"),
    (lambda m, v, e: m + v * e, "logarithm of the variance"),
    (lambda m, v, e: m + ops.exp(0.25 * v) * e, "does not square"),
    (lambda m, v, e: ops.exp(0.5 * v) * e, "must be the mean"),
    (lambda m, v, e: m + ops.exp(0.5 * v) * np.random.normal(size=np.shape(e)), "draw new noise"),
    (lambda m, v, e: np.asarray(m) + np.exp(0.5 * np.asarray(v)) * np.asarray(e), "no gradient"),
    (lambda m, v, e: right_reparameterize(m, v, e)[:2], "shape"),
    (stub, "not written yet"),
])
def test_reparameterize_check_explains_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_reparameterize(wrong)


# --- Exercise 4: β for a rate budget (trains β-VAEs: a few seconds each) -------------------------------

@pytest.mark.parametrize("beta, message", [
    (3.0, "✓"),
    (1.0, "over the budget"),
    (8.0, "distortion is above"),
])
def test_beta_for_budget_measures_the_choice(beta, message, capsys):
    if message == "✓":
        checks.check_beta_for_budget(beta)
        out = capsys.readouterr().out
        assert "✓ β = 3: rate" in out
    else:
        with pytest.raises(AssertionError, match=message):
            checks.check_beta_for_budget(beta)


@pytest.mark.parametrize("beta, message", [("three", "must be a number"), (-1.0, "positive"), (None, "number")])
def test_beta_for_budget_rejects_non_numbers(beta, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_beta_for_budget(beta)


def test_beta_for_budget_master_choice_holds_for_other_seeds():
    """The grader measures the β with fresh seeds: the master's choice must pass there too."""
    for seed in (11, 12):
        measured = lab15.measure_beta(3.0, seed=seed)
        assert measured["rate"] <= lab15.RATE_BUDGET - 0.5
        assert measured["distortion"] <= lab15.DISTORTION_CEILING - 2.0


# --- in Chinese (中文) ----------------------------------------------------------------------------------

def test_a_wrong_answer_is_explained_in_chinese_and_still_in_english():
    import re

    from labs.i18n import speaking

    def too_large(m, v):
        return 2 * right_kl(m, v)

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_kl_standard_normal(too_large)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "1/2" in str(error.value), error.value
    assert str(error.value).startswith("kl_to_standard_normal: ")
    with speaking("en"), pytest.raises(AssertionError, match="factor 1/2"):
        checks.check_kl_standard_normal(too_large)
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_gan_losses(d_loss, saturating, lambda f: ops.mean(ops.log(f)))
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "generator_loss_non_saturating" in str(error.value)
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_beta_for_budget("three")
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "str" in str(error.value)


def test_the_passed_lines_are_in_chinese(capsys):
    import re

    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_gan_losses(d_loss, saturating, non_saturating)
        checks.check_reparameterize(right_reparameterize)
    lines = [line for line in capsys.readouterr().out.splitlines() if "✓" in line]
    assert len(lines) == 2 and all(re.search(r"[\u4e00-\u9fff]", line) for line in lines), lines
    assert "tf.GradientTape" in lines[0] and "exp(log_var)" in lines[1]
