"""Training batches: windows encoded on demand, padded batches, the reply-only loss, the data order."""

from __future__ import annotations

import random

from deescal.finetune.samples import IGNORE_INDEX, encode_window, windows


class EncodedWindows:
    """Encodes (dialogue, window) pairs on demand, in a fixed order; a torch map-style dataset."""

    def __init__(self, pairs, order: list[int], tokenizer, max_length: int) -> None:
        self.pairs, self.order, self.tokenizer, self.max_length = pairs, order, tokenizer, max_length

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int):
        dialogue, window = self.pairs[self.order[i]]
        return encode_window(dialogue, window, self.tokenizer, self.max_length)


def window_samples(dialogues, split: str, tokenizer, max_length: int) -> list:
    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"]) + 1

    return [(d, w) for d in dialogues if d.split == split for w in windows(d, count, max_length)]


PAD_MULTIPLE = 32  # fewer distinct shapes: CPU kernels are prepared once per shape


def collate_padded(pad_id: int):
    import torch

    def collate(samples) -> dict:
        width = -(-max(len(s.input_ids) for s in samples) // PAD_MULTIPLE) * PAD_MULTIPLE
        ids = [s.input_ids + [pad_id] * (width - len(s.input_ids)) for s in samples]
        labels = [s.labels + [IGNORE_INDEX] * (width - len(s.labels)) for s in samples]
        mask = [[1] * len(s.input_ids) + [0] * (width - len(s.input_ids)) for s in samples]
        return {
            "input_ids": torch.tensor(ids),
            "labels": torch.tensor(labels),
            "attention_mask": torch.tensor(mask),
        }

    return collate


def reply_loss(model, batch: dict, end_weight: float = 1.0):
    """Cross-entropy over reply tokens, with logits computed only at positions that predict one.

    The positions are the union over the batch (a 1-D ``logits_to_keep``, which every transformers
    release with the argument supports); positions that are not a reply token in a row are ignored.
    ``end_weight`` weighs the token that ends each reply (its end of line) against the others: at the
    optimum it multiplies the odds of ending a reply by that factor, which is how the trained model's
    reply length is calibrated (replies sampled at temperature 0.6 otherwise end too early).
    The result is the weighted mean, so with weight 1 it is the plain mean cross-entropy.
    """
    import torch
    import torch.nn.functional as F

    labels = batch["labels"]
    targets = torch.full_like(labels, IGNORE_INDEX)
    targets[:, :-1] = labels[:, 1:]  # position t predicts token t+1
    positions = (targets != IGNORE_INDEX).any(dim=0).nonzero().squeeze(-1)
    out = model(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], logits_to_keep=positions
    )
    logits = out.logits.reshape(-1, out.logits.shape[-1])
    kept = targets[:, positions].reshape(-1)
    following = torch.full_like(targets, IGNORE_INDEX)
    following[:, :-1] = targets[:, 1:]
    ends = (targets != IGNORE_INDEX) & (following == IGNORE_INDEX)  # a reply's last token
    weights = torch.where(ends, end_weight, 1.0)[:, positions].reshape(-1) * (kept != IGNORE_INDEX)
    losses = F.cross_entropy(logits.float(), kept, ignore_index=IGNORE_INDEX, reduction="none")
    return (losses * weights).sum() / weights.sum()


def training_order(n: int, seed: int, needed: int) -> list[int]:
    """Sample indices for the whole run: a fresh seeded shuffle per epoch, as many epochs as needed."""
    order: list[int] = []
    epoch = 0
    while len(order) < needed:
        block = list(range(n))
        random.Random(seed * 1000 + epoch).shuffle(block)
        order += block
        epoch += 1
    return order[:needed]
