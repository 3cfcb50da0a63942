"""The training-only dense grouping loss (train/affinity.py): targets from owner maps, and a head that learns."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))

from sam_tools import load_checkpoint  # noqa: E402
from affinity import AffinityHead, affinity_loss, affinity_targets, cell_owners  # noqa: E402
from data import make_batch  # noqa: E402


def test_cell_owner_is_the_owner_of_most_of_its_pixels_and_padding_stays_padding():
    owners = torch.zeros(1, 8, 8, dtype=torch.long)
    owners[0, :4, :3] = 2  # 3 of the 4 columns of the top-left 4×4 cell
    owners[0, 4:, 4:] = -1  # padding fills the bottom-right cell
    owners[0, :4, 4:5] = 5  # 1 column of the top-right cell: not its majority
    assert cell_owners(owners, 2)[0].tolist() == [[2, 0], [0, -1]]


def test_targets_say_same_or_different_per_offset_and_ignore_pairs_that_leave_the_image():
    cells = torch.tensor([[[1, 1, 2, -1],
                           [1, 1, 2, -1],
                           [0, 0, 0, -1],
                           [0, 0, 0, -1]]])
    targets, valid = affinity_targets(cells, offsets=(1, 2))
    t, v = targets[0], valid[0]
    assert t[0, 0].tolist() == [1, 0, 0, 0] and v[0, 0].tolist() == [True, True, False, False]  # right by 1
    assert t[1, 0].tolist() == [0, 0, 0, 0] and v[1, 0].tolist() == [True, False, False, False]  # right by 2
    assert t[2, :, 0].tolist() == [1, 0, 1, 0] and v[2, :, 0].tolist() == [True, True, True, False]  # down by 1
    assert t[3, :, 2].tolist() == [0, 0, 0, 0] and v[3, :, 2].tolist() == [True, True, False, False]  # down by 2
    assert not v[:, :, 3].any()  # the padding column pairs with nothing


def test_make_batch_gives_every_instance_its_own_owner_id():
    batch = make_batch([5, 6], 64, 3, (0, 0, 0), (1, 1, 1))
    for i, (h, w) in enumerate(batch.sizes):
        owner = batch.owners[i]
        assert (owner[:h, :w] >= 0).all() and (owner[h:] == -1).all() and (owner[:, w:] == -1).all()
    for mask, i in zip(batch.masks, batch.image_index):
        ids = batch.owners[i][mask].unique()
        assert len(ids) == 1 and ids.item() >= 1  # a sampled object is exactly one owner's pixels


def test_the_head_learns_the_affinities_of_a_batch():
    torch.manual_seed(0)
    batch = make_batch([3, 4], 64, 1, (0, 0, 0), (1, 1, 1))
    targets, valid = affinity_targets(cell_owners(batch.owners, 16))
    embedding = torch.randn(2, 32, 4, 4, requires_grad=True)  # stands in for the image encoder's output
    head = AffinityHead(32)
    optimizer = torch.optim.Adam([embedding, *head.parameters()], lr=3e-2)
    first = None
    for _ in range(60):
        loss, accuracy = affinity_loss(head(embedding), targets, valid)
        first = first if first is not None else (loss.item(), accuracy)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5 * first[0] and accuracy > max(0.8, first[1]), (first, loss.item(), accuracy)


def test_a_run_keeps_its_affinity_head_and_a_resume_must_keep_the_setting(tmp_path):
    import subprocess

    script = Path(__file__).resolve().parents[1] / "train" / "train.py"
    small = ["--out", str(tmp_path), "--workers", "1", "--batch-images", "1", "--objects", "1", "--clicks", "0",
             "--validate-every", "0", "--log-every", "1"]
    subprocess.run([sys.executable, str(script), *small, "--steps", "1", "--affinity-weight", "1"], check=True,
                   capture_output=True)
    state = load_checkpoint(tmp_path / "checkpoint.pth")
    assert state["step"] == 1 and any(k.endswith("weight") for k in state["affinity"])
    resumed = subprocess.run([sys.executable, str(script), *small, "--steps", "2", "--workers", "2"], capture_output=True,
                             text=True)
    assert resumed.returncode != 0
    assert f"{tmp_path / 'checkpoint.pth'}: trained with the affinity head" in resumed.stderr
    assert load_checkpoint(tmp_path / "checkpoint.pth")["step"] == 1  # the refused resume wrote nothing
    assert "Traceback" not in resumed.stderr  # refused once, by the launcher, not by every worker

    plain = tmp_path / "plain"
    small[1] = str(plain)
    subprocess.run([sys.executable, str(script), *small, "--steps", "1"], check=True, capture_output=True)
    added = subprocess.run([sys.executable, str(script), *small, "--steps", "2", "--affinity-weight", "1"],
                           capture_output=True, text=True)
    assert added.returncode != 0
    assert f"{plain / 'checkpoint.pth'}: trained without the affinity head; resume it with --affinity-weight 0" in \
        added.stderr
