"""Lab 15's claims: the KL's closed form agrees with Monte Carlo, the deck's generator loss starves G
when D wins, β controls the rate of the β-VAE and of the VIB, and the conditional GAN obeys its label."""

import math

import pytest

pytestmark = pytest.mark.notebook

CHANCE = 0.1


def test_closed_form_kl_agrees_with_monte_carlo(executed):
    _, r = executed("15_generative")
    table = r["kl_monte_carlo"]
    assert len(table) >= 4
    for case, row in table.items():
        assert row["standard error"] < 0.02 * max(row["closed form"], 0.1), case
        assert abs(row["closed form"] - row["Monte Carlo"]) <= 4 * row["standard error"], (case, row)


def test_saturating_generator_loss_vanishes_when_d_wins(executed):
    _, r = executed("15_generative")
    g = r["gan_generator_gradients"]
    assert g["saturating"]["mean_D_of_G"] < 0.05          # D wins: it calls the generated images fake
    assert g["saturating"]["gradient_norm"] < 0.01 * g["non_saturating"]["gradient_norm"]
    assert g["non_saturating"]["gradient_norm"] > 0


def test_conditional_gan_draws_the_asked_digit(executed):
    _, r = executed("15_generative")
    assert r["judge_test_accuracy"] > 0.8
    assert r["cgan_asked_digit_fraction"] >= 0.5 > 4 * CHANCE
    assert sum(f > 2 * CHANCE for f in r["cgan_per_digit"]) >= 8


def test_gan_discriminator_stays_ahead(executed):
    _, r = executed("15_generative")
    accuracy = r["gan_d_accuracy"]
    assert accuracy and all(0.5 < a <= 1.0 for a in accuracy)     # "D stayed ahead" (section 3)


def test_vae_beats_the_mean_image_and_samples_a_rate(executed):
    _, r = executed("15_generative")
    assert r["vae_test_mse"] < 0.8 * r["mean_image_mse"]
    assert r["vae_test_terms"]["rate"] > 1.0


def _by_beta(table):
    return [table[key] for key in sorted(table, key=float)]


def test_beta_vae_rate_falls_and_distortion_rises_as_beta_grows(executed):
    _, r = executed("15_generative")
    rows = _by_beta(r["beta_vae"])
    assert len(rows) >= 3 and {"0.25", "1.0", "4.0"} <= set(r["beta_vae"])
    rates = [row["rate"] for row in rows]
    distortions = [row["distortion"] for row in rows]
    assert all(a > b for a, b in zip(rates, rates[1:])), rates
    assert all(a < b for a, b in zip(distortions, distortions[1:])), distortions


def test_vib_rate_falls_as_beta_grows(executed):
    _, r = executed("15_generative")
    rows = _by_beta(r["vib"])
    assert len(rows) >= 3
    rates = [row["rate"] for row in rows]
    assert all(a > b for a, b in zip(rates, rates[1:])), rates
    assert rows[0]["accuracy"] > 0.8
    # the largest beta leaves a sampled code little to say about the label (section 7's prose)
    assert rows[-1]["rate"] < 1.0 and rows[-1]["cross-entropy"] > 0.8 * math.log(10)
