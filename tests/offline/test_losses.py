"""The loss against hand-computed values."""

import math

import pytest

torch = pytest.importorskip("torch")

from cer_live.offline.losses import CompoundLoss, balanced_ce, dice_from_probs, dice_loss, log_prior  # noqa: E402

pytestmark = pytest.mark.torch


def test_balanced_ce_with_uniform_priors_is_plain_ce():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 7, generator=g)
    target = torch.randint(0, 7, (16,), generator=g)
    uniform = log_prior([5] * 7)
    assert torch.allclose(
        balanced_ce(logits, target, uniform), torch.nn.functional.cross_entropy(logits, target), atol=1e-6
    )


def test_balanced_ce_by_hand():
    # Two classes with priors 1/4 and 3/4, equal logits, target 0: -log(0.25 / (0.25 + 0.75)) = log 4.
    loss = balanced_ce(torch.zeros(1, 2), torch.tensor([0]), log_prior([1, 3]), tau=1.0)
    assert loss.item() == pytest.approx(math.log(4), abs=1e-6)
    # tau = 0 switches the adjustment off: log 2.
    assert balanced_ce(torch.zeros(1, 2), torch.tensor([0]), log_prior([1, 3]), tau=0.0).item() == pytest.approx(
        math.log(2), abs=1e-6
    )


def test_a_class_with_no_example_keeps_the_prior_finite():
    assert torch.isfinite(log_prior([0, 4, 4, 4, 4, 4, 4])).all()


def test_dice_of_a_perfect_prediction_is_zero():
    onehot = torch.nn.functional.one_hot(torch.tensor([0, 3, 6]), 7).float()
    assert dice_from_probs(onehot, onehot).item() == 0.0
    # and logits that make softmax one-hot to float precision
    assert dice_loss(onehot * 100.0, torch.tensor([0, 3, 6])).item() == pytest.approx(0.0, abs=1e-6)


def test_dice_by_hand():
    # p = (0.5, 0.5, 0, ...), y = class 0: class 0 gives 1 - (1 + 1)/(0.5 + 1 + 1) = 0.2,
    # class 1 gives 1 - 1/1.5 = 1/3, the other five 0; the mean is over seven classes.
    probs = torch.tensor([[0.5, 0.5, 0, 0, 0, 0, 0]])
    onehot = torch.tensor([[1.0, 0, 0, 0, 0, 0, 0]])
    assert dice_from_probs(probs, onehot).item() == pytest.approx((0.2 + 1 / 3) / 7, abs=1e-6)


def test_compound_loss_is_balce_plus_weighted_dice_with_finite_gradients():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(8, 7, generator=g, requires_grad=True)
    target = torch.randint(0, 7, (8,), generator=g)
    counts = [10, 50, 5, 1, 30, 20, 0]
    loss = CompoundLoss(counts, tau=1.0, dice_weight=1.5)(logits, target)
    expected = balanced_ce(logits, target, log_prior(counts)) + 1.5 * dice_loss(logits, target)
    assert loss.item() == pytest.approx(expected.item(), abs=1e-6)
    loss.backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0
