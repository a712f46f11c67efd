"""Lab 12's claims: initialisation, input scaling, schedules, batch norm and residual connections."""

import math

import pytest

pytestmark = pytest.mark.notebook

STEM = "12_deep_training"


@pytest.fixture(scope="module")
def r(executed):
    return executed(STEM)[1]


def test_hand_written_initialisers_have_their_formula_variance(r):
    for name in ("xavier", "he"):
        row = r["init_variance"][name]
        assert abs(row["measured variance"] - row["formula"]) <= 4 * row["standard error"], name
    assert r["init_variance"]["xavier"]["formula"] == pytest.approx(2 / (784 + 500))
    assert r["init_variance"]["he"]["formula"] == pytest.approx(2 / 784)


def test_statistics_at_initialisation_show_exploding_and_vanishing(r):
    s = r["init_stats"]
    he = s["relu he"]
    explode, vanish = s["relu uniform(0,1)"], s["relu gaussian 0.01"]
    assert explode["output std, layer 9"] > 1e6 * explode["output std, layer 1"]
    assert explode["gradient norm, layer 1"] > 1e6 * he["gradient norm, layer 1"]
    assert vanish["output std, layer 9"] < 1e-6 * vanish["output std, layer 1"]
    assert vanish["gradient norm, layer 1"] < 1e-6 * he["gradient norm, layer 1"]
    saturated = s["sigmoid uniform(0,1)"]
    assert saturated["output std, layer 9"] < 1e-6 and saturated["gradient norm, layer 1"] < 1e-9


def test_xavier_and_he_keep_the_spread(r):
    s = r["init_stats"]
    he, xavier = s["relu he"], s["relu xavier"]
    assert 0.5 < he["output std, layer 9"] / he["output std, layer 1"] < 2
    assert 0.1 < he["gradient norm, layer 1"] / he["gradient norm, output"] < 10
    assert 1 / 100 < xavier["output std, layer 9"] / xavier["output std, layer 1"] < 1 / 4  # about √2 per layer
    for init in ("xavier", "he"):  # the sigmoid's slope <= 1/4 still starves the first layer
        sig = s[f"sigmoid {init}"]
        assert sig["gradient norm, layer 1"] < 1e-3 * sig["gradient norm, output"]


def test_only_relu_with_xavier_or_he_learns(r):
    acc = r["init_train_accuracy"]
    others = [v for k, v in acc.items() if k not in ("relu he", "relu xavier")]
    assert acc["relu he"] > acc["relu xavier"] + 0.02
    assert acc["relu xavier"] > max(others) + 0.05
    assert max(acc[k] for k in acc if k.startswith("sigmoid")) < 0.2


def test_input_scaling(r):
    inputs = r["inputs"]
    std, scaled, raw = inputs["standardised"], inputs["divided by 255"], inputs["raw pixels 0..255"]
    assert std["train accuracy"] > scaled["train accuracy"] + 0.03
    assert raw["train accuracy"] > std["train accuracy"]
    assert raw["saturated first-layer outputs at the start"] > 0.5
    assert scaled["saturated first-layer outputs at the start"] < 0.05


def test_zigzag_of_all_positive_inputs(r):
    z = r["zigzag"]
    assert z["all-positive inputs"]["updates moving both weights the same way"] == 1.0
    assert z["centred inputs"]["updates moving both weights the same way"] < 0.75
    assert z["all-positive inputs"]["path length / straight distance"] > 1.5 * z["centred inputs"][
        "path length / straight distance"]


def test_cosine_decay_rescues_the_large_rate(r):
    s = r["schedules"]
    loss = {k: v["train loss"] if isinstance(v["train loss"], float) else math.inf for k, v in s.items()}
    assert s["cosine decay from 1.0"]["train accuracy"] > s["constant 1.0"]["train accuracy"] + 0.2
    assert loss["cosine decay from 1.0"] < loss["constant 1.0"]


def test_batch_norm_makes_the_deep_sigmoid_net_train(r):
    acc = r["bn"]["accuracy"]
    assert acc["no BN"]["max"] < 0.2
    for place in ("BN before activation", "BN after activation"):
        assert acc[place]["min"] > acc["no BN"]["max"] + 0.3, place


def test_deck003_start_fails_on_its_own_one_hidden_layer(r):
    """The (0, 1) start saturates the hidden layer on 784 inputs; Glorot's start learns."""
    d = r["deck003"]
    assert d["accuracy"]["uniform(0,1)"] < 0.2 < d["accuracy"]["xavier"]
    assert d["saturated"]["uniform(0,1)"] > 0.9 > d["saturated"]["xavier"]


def test_bn_against_dropout_is_measured_on_a_network_that_overfits(r):
    """Section 4's second part: every version fits its training images better than unseen ones,
    so that dropout has something to do; the claims table scores the deck on these numbers."""
    train, val = r["overfit"]["accuracy"], r["overfit"]["val_accuracy"]
    assert set(train) == {"neither", "BN", "dropout 0.5", "BN + dropout 0.5"}
    assert min(v["mean"] for v in train.values()) > max(v["mean"] for v in val.values())
    claims = r["claims"]
    held = val["BN"]["mean"] >= val["dropout 0.5"]["mean"] - 0.01
    assert claims["BN works as well as or better than dropout (validation accuracy)"] is held
    not_needed = val["BN + dropout 0.5"]["mean"] <= val["BN"]["mean"] + 0.01
    assert claims["with BN, dropout is not needed (validation accuracy)"] is not_needed


def test_the_prose_claims_hold(r):
    """Every sentence of the lab that states a measured outcome has its claim_*_holds record."""
    claims = {k: v for k, v in r.items() if k.startswith("claim_") and k.endswith("_holds")}
    assert set(claims) == {
        "claim_only_relu_he_xavier_learn_holds", "claim_deck003_one_layer_fails_holds",
        "claim_relu_uniform_explodes_holds", "claim_standardised_beats_scaled_holds",
        "claim_raw_pixels_fastest_holds", "claim_cosine_beats_large_constant_holds",
        "claim_bn_makes_sigmoid_net_train_holds", "claim_overfit_set_up_overfits_holds",
        "claim_plain_degrades_residual_less_holds", "claim_he_level_xavier_shrinks_holds"}
    failed = sorted(k for k, v in claims.items() if v is not True)
    assert not failed, failed


def test_plain_nets_degrade_and_residual_nets_much_less(r):
    depth = r["depth"]
    shallow, deep = min(depth, key=int), max(depth, key=int)
    plain_drop = depth[shallow]["plain: train"] - depth[deep]["plain: train"]
    residual_drop = depth[shallow]["residual: train"] - depth[deep]["residual: train"]
    assert plain_drop > 0.05
    assert residual_drop < plain_drop / 2
    assert depth[deep]["residual: train"] > depth[deep]["plain: train"] + 0.1


def test_claims_table_matches_the_measurements(r):
    claims = r["claims"]
    assert claims["BP: initialise all parameters within (0, 1), on the deck's one hidden layer"] is False
    assert claims["BP: initialise all parameters within (0, 1), at depth 9"] is False
    assert claims["ReLU avoids exploding gradients"] is False
    assert claims["initial weights by MSRA (He) or Xavier"] is True
    assert claims["all-positive inputs: every update has one sign (zig-zag)"] is True
    assert claims["degradation: a deeper plain net has a higher training error"] is True
    assert len(claims) == 13
