"""Lab 13's claims: hand-written layers match Keras, formulas match summaries, CNN vs MLP on shifted digits."""

import pytest

pytestmark = pytest.mark.notebook

STEM = "13_cnn"
CNN, MLP = "LeNet-style CNN", "784-500-500-10, Dropout(0.2)"


@pytest.fixture(scope="module")
def r(executed):
    return executed(STEM)[1]


def test_hand_convolution_and_pooling_match_keras(r):
    for table, cases in ((r["conv_vs_keras"], 4), (r["pool_vs_keras"], 4)):
        assert len(table) == cases
        for case, row in table.items():
            assert row["output shape"] == row["Keras' shape"], case
            assert row["largest difference"] < 1e-5, case
    assert r["feature_map_difference"] < 1e-5


def test_lenet_formulas_match_the_keras_model(r):
    layers = r["lenet_layers"]
    assert set(layers) == {"conv1", "pool1", "conv2", "pool2", "conv3", "flatten", "fc4", "output"}
    for name, row in layers.items():
        assert row["formula shape"] == row["keras shape"], name
        assert row["formula parameters"] == row["keras parameters"], name
    assert r["lenet_parameters"] == 61_706 == sum(row["keras parameters"] for row in layers.values())
    assert layers["conv3"]["keras parameters"] == 48_120 and layers["conv1"]["keras parameters"] == 156


def test_two_3x3_layers_see_5x5_with_fewer_weights(r):
    vgg = r["vgg"]
    for name, row in vgg.items():
        assert row["parameters (formula)"] == row["parameters (Keras)"], name
    assert vgg["two 3×3"]["receptive field (measured)"] == vgg["one 5×5"]["receptive field (measured)"] == "5×5"
    assert vgg["three 3×3"]["receptive field (measured)"] == vgg["one 7×7"]["receptive field (measured)"] == "7×7"
    assert vgg["two 3×3"]["output shape"] == vgg["one 5×5"]["output shape"]
    assert (vgg["two 3×3"]["parameters (Keras)"], vgg["one 5×5"]["parameters (Keras)"]) == (73_856, 102_464)
    assert round(100 * (1 - 73_856 / 102_464)) == 28  # the prose's "28 % fewer"
    assert round(100 * (1 - vgg["three 3×3"]["parameters (Keras)"] / vgg["one 7×7"]["parameters (Keras)"])) == 45


def test_alexnet_has_5_plus_3_modules_and_most_weights_in_dense(r):
    alex = r["alexnet"]
    assert (alex["conv modules"], alex["dense modules"]) == (5, 3)
    assert alex["modules"] == alex["formula"]
    assert alex["total"] == 62_378_344 == sum(alex["modules"].values())
    conv = sum(v for k, v in alex["modules"].items() if k.startswith("conv"))
    assert round(conv / 1e6, 1) == 3.7 and round(100 * conv / alex["total"]) == 6
    assert round(100 * (alex["total"] - conv) / alex["total"]) == 94
    macs = alex["multiply-adds"]
    conv_macs = sum(v for k, v in macs.items() if k.startswith("conv"))
    assert macs["conv1"] == 55 * 55 * 11 * 11 * 3 * 96 and macs["fc6"] == 9_216 * 4_096
    assert round(100 * conv_macs / sum(macs.values())) == 95  # "95 % of the multiplications"
    assert round(alex["modules"]["fc6"] / 1e6, 1) == 37.8 and alex["flatten size"] == 9_216
    assert r["mlp_parameters"] == 648_010
    assert 90 < alex["total"] / r["mlp_parameters"] < 100  # "nearly 100 times as many"


def test_lenet_matches_the_mlp_with_a_tenth_of_the_parameters(r):
    versus = r["versus"]
    cnn, mlp = versus[CNN], versus[MLP]
    assert cnn["parameters"] == 61_706 and mlp["parameters"] == 648_010
    mean = {name: sum(v["test accuracy"]) / len(v["test accuracy"]) for name, v in versus.items()}
    assert mean[CNN] >= mean[MLP] - 0.015  # "at least about the same test accuracy"
    assert mlp["training accuracy"] > cnn["training accuracy"]  # the MLP fits its training images more closely
    assert len(cnn["test accuracy"]) == len(r["versus_setup"]["seeds"]) >= 2


def test_shifted_digits_cost_the_cnn_less_than_the_mlp(r):
    per_seed = r["shifted_per_seed"]
    assert set(per_seed[CNN]) == set(per_seed[MLP]) == {str(s) for s in r["versus_setup"]["seeds"]}
    for seed in per_seed[CNN]:
        for d in ("2", "3", "4"):  # every seed, every shift of 2 pixels or more
            assert per_seed[CNN][seed][d] > per_seed[MLP][seed][d], (seed, d)
    mean = r["shifted"]
    for name in (CNN, MLP):
        loss = {d: mean[name]["0"] - mean[name][d] for d in mean[name]}
        assert loss["1"] < 0.1, name  # one pixel costs only a few points
        assert loss["4"] > 0.3, name  # neither network is shift-invariant
        assert loss["1"] < loss["2"] < loss["3"] < loss["4"], name
    assert sum(mean[CNN][d] for d in ("2", "3", "4")) / 3 < 0.7  # "stays well below 0.75" (exercise 3)
    for d in ("2", "3", "4"):
        assert mean[CNN]["0"] - mean[CNN][d] < mean[MLP]["0"] - mean[MLP][d], d
        # "the bands do not overlap": the CNN's worst seed beats the MLP's best
        assert min(v[d] for v in per_seed[CNN].values()) > max(v[d] for v in per_seed[MLP].values()), d


def test_first_layer_maps_move_with_the_digit(r):
    assert r["equivariance"]["gap"] < 1e-5 < r["equivariance"]["largest value"]


def test_claims_table_says_what_was_measured(r):
    assert r["claim_cnn_matches_mlp_holds"] is True
    assert r["claim_cnn_shift_holds"] is True
