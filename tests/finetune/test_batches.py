"""The reply-only loss: logits computed only where a reply token is predicted, same value as the full loss."""

from __future__ import annotations

import pytest
from deescal.finetune.batches import collate_padded, reply_loss, training_order
from deescal.finetune.samples import IGNORE_INDEX, EncodedSample

from tests.finetune.shared_models import shared_models

pytestmark = pytest.mark.slow


def test_reply_loss_equals_cross_entropy_over_full_logits():
    import torch
    import torch.nn.functional as F
    from deescal.finetune.base_model import load_base

    model, _ = load_base(shared_models()[1])
    torch.manual_seed(0)
    samples = [
        EncodedSample(ids, [IGNORE_INDEX] * 30 + ids[30:35] + [IGNORE_INDEX] * 5, "a")
        for ids in (torch.randint(10, 5000, (40,)).tolist(),)
    ] + [EncodedSample(list(range(100, 125)), [IGNORE_INDEX] * 20 + list(range(120, 125)), "b")]
    batch = collate_padded(0)(samples)
    assert batch["input_ids"].shape == (2, 64)  # padded to a multiple of 32
    with torch.no_grad():
        fast = reply_loss(model, batch)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    targets = torch.full_like(batch["labels"], IGNORE_INDEX)
    targets[:, :-1] = batch["labels"][:, 1:]
    full = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE_INDEX
    )
    assert float(fast) == pytest.approx(float(full), rel=1e-5)

    with torch.no_grad():
        weighted = reply_loss(model, batch, end_weight=0.25)
    each = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE_INDEX, reduction="none"
    ).reshape(2, -1)
    weights = (targets != IGNORE_INDEX).float()
    weights[0, 33] = weights[1, 23] = 0.25  # the positions that predict each reply's last token
    expected = (each * weights).sum() / weights.sum()
    assert float(weighted) == pytest.approx(float(expected), rel=1e-5)
    assert float(weighted) != pytest.approx(float(full), rel=1e-3)


def test_training_order_is_a_seeded_shuffle_per_epoch():
    order = training_order(5, seed=3, needed=12)
    assert len(order) == 12 and sorted(order[:5]) == list(range(5)) and sorted(order[5:10]) == list(range(5))
    assert order == training_order(5, seed=3, needed=12) and order != training_order(5, seed=4, needed=12)
