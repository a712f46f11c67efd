"""Self-checks for the exercises: each says what is wrong, not just "assert failed".

A check prints a line starting with ✓ when the answer is right and raises an
``AssertionError`` whose message explains the mistake otherwise; it returns nothing (nbgrader
would read a returned number as partial credit). The checks are the students' feedback; the
grade is made by the grader's referee, outside the student's kernel. One module per lab
(``labs.checks.lab01`` …), the shared assertion helpers in ``labs.checks._common``; notebooks
call them as ``labs.checks.check_…``.

``labs.checks.summary("13")``, in a notebook's last cell, runs every public check of the lab at
once and says what grading does beyond them (:mod:`labs.checks.readiness`).

A check compares with values stored for its fixed cases in ``expected.npz`` (made from the masters'
solutions by ``python -m labs expected``), with properties, or with Keras; the package holds no
implementation of an exercise's answer.
"""

from labs.checks._common import check_close
from labs.checks.lab01 import check_and_choice, check_perceptron_update, check_sigmoid_gradient
from labs.checks.lab02 import check_separating_line, check_xor_design, check_xor_network, forward_sign_network
from labs.checks.lab03 import check_bp_design, check_bp_gradients, check_cross_validate, check_keras_twin
from labs.checks.lab04 import check_confusion_matrix, check_fast_training, check_mlp_architecture
from labs.checks.lab05 import check_ce_gradient, check_se_gradient, check_se_learning_rate
from labs.checks.lab06 import check_batch_size_for_budget, check_minibatch_indices, check_updates_per_epoch
from labs.checks.lab07 import check_activations, check_chain_gradient, check_deep_net
from labs.checks.lab08 import check_adagrad_update, check_momentum_settings, check_momentum_update
from labs.checks.lab09 import check_hand_dropout, check_penalty_coefficient, check_weight_decay_update
from labs.checks.lab10 import check_kl_sparsity, check_pca_reconstruction, check_sparse_choice
from labs.checks.lab11 import check_one_layer_sawtooth, check_parameter_count, check_shallow_width
from labs.checks.lab12 import (
    check_he_normal,
    check_leaky_relu_std,
    check_residual_block,
    check_xavier_uniform,
)
from labs.checks.lab13 import check_conv2d, check_small_network, check_stack_prediction
from labs.checks.lab14 import check_bptt, check_gru_step, check_recurrent_gain
from labs.checks.lab15 import (
    check_beta_for_budget,
    check_gan_losses,
    check_kl_standard_normal,
    check_reparameterize,
)
from labs.checks.readiness import remembered, summary
from labs.gradcheck import relative_error

__all__ = [
    "summary",
    "check_close",
    "relative_error",
    "check_perceptron_update",
    "check_sigmoid_gradient",
    "check_and_choice",
    "forward_sign_network",
    "check_xor_network",
    "check_separating_line",
    "check_xor_design",
    "check_bp_gradients",
    "check_cross_validate",
    "check_keras_twin",
    "check_bp_design",
    "check_mlp_architecture",
    "check_confusion_matrix",
    "check_fast_training",
    "check_ce_gradient",
    "check_se_gradient",
    "check_se_learning_rate",
    "check_updates_per_epoch",
    "check_batch_size_for_budget",
    "check_minibatch_indices",
    "check_activations",
    "check_chain_gradient",
    "check_deep_net",
    "check_adagrad_update",
    "check_momentum_update",
    "check_momentum_settings",
    "check_hand_dropout",
    "check_weight_decay_update", "check_penalty_coefficient",
    "check_pca_reconstruction",
    "check_kl_sparsity", "check_sparse_choice",
    "check_parameter_count",
    "check_shallow_width",
    "check_one_layer_sawtooth",
    "check_xavier_uniform",
    "check_he_normal",
    "check_residual_block",
    "check_leaky_relu_std",
    "check_conv2d",
    "check_stack_prediction",
    "check_small_network",
    "check_gru_step",
    "check_bptt",
    "check_recurrent_gain",
    "check_gan_losses",
    "check_kl_standard_normal",
    "check_reparameterize",
    "check_beta_for_budget",
]

# Each check remembers its last outcome, so that summary() need not run a slow one again.
for _name in [n for n in __all__ if n.startswith("check_")]:
    globals()[_name] = remembered(globals()[_name])
del _name
