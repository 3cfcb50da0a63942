"""Training pieces: prompt simulation, losses, the fast convolutions, and a tiny training run that learns."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))

from sam_tools import PRESETS, build_sam, load_checkpoint, randomize_  # noqa: E402

import prompts  # noqa: E402
from data import make_batch  # noqa: E402
from fastops import accelerate_  # noqa: E402
from losses import balanced_bce_loss, hard_iou, sam_loss  # noqa: E402
from train import episode_loss, insert_click  # noqa: E402


def _disc(h=64, w=64, cy=30, cx=30, r=12):
    yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    return ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r)[None]


def test_first_points_lie_in_the_object_and_interior_points_are_deep():
    g = torch.Generator().manual_seed(0)
    masks = torch.cat([_disc(), _disc(cy=50, cx=10, r=6)])
    for _ in range(5):
        xy = prompts.first_points(masks, g).long()
        assert all(masks[i, xy[i, 1], xy[i, 0]] for i in range(2))
    xy, found = prompts.sample_interior(masks, g)
    assert found.all() and (xy[0] - torch.tensor([30, 30])).abs().max() <= 1


def test_uniform_samples_cover_every_pixel_of_the_region_evenly():
    g = torch.Generator().manual_seed(3)
    region = torch.zeros(2, 8, 8, dtype=torch.bool)
    region[0, 2, 5] = region[0, 6, 1] = region[0, 7, 7] = True  # row 1 stays empty
    counts = {}
    for _ in range(600):
        xy, found = prompts.sample_uniform(region, g)
        assert found.tolist() == [True, False]
        counts[tuple(xy[0].tolist())] = counts.get(tuple(xy[0].tolist()), 0) + 1
    assert set(counts) == {(5, 2), (1, 6), (7, 7)}
    assert all(150 < c < 250 for c in counts.values()), counts


def test_interior_score_counts_erosions_and_treats_the_image_border_as_outside():
    square = torch.zeros(1, 9, 9, dtype=torch.bool)
    square[0, 2:7, 2:7] = True  # 5×5: depths 1, 2, 3 from the edge in
    assert prompts.interior_score(square)[0, 2:7, 4].tolist() == [1, 2, 3, 2, 1]
    at_border = torch.zeros(1, 9, 9, dtype=torch.bool)
    at_border[0, 0:5, 0:5] = True
    assert prompts.interior_score(at_border)[0, 0:5, 2].tolist() == [1, 1, 2, 2, 1]  # row 0 is on the border


def test_noisy_boxes_surround_the_object_within_the_noise():
    g = torch.Generator().manual_seed(1)
    box = prompts.noisy_boxes(_disc(), g)[0]
    assert (box - torch.tensor([18.0, 18.0, 42.0, 42.0])).abs().max() <= 2.5 * 0.1 * 25 + 1e-4
    assert box[0] <= box[2] and box[1] <= box[3]


def test_corrective_clicks_come_from_the_error_with_the_right_label():
    g = torch.Generator().manual_seed(2)
    truth = _disc()
    missed = truth & ~_disc(cx=24)  # prediction shifted left: the right side is missed
    predicted = _disc(cx=24)
    for _ in range(10):
        xy, label = prompts.corrective_clicks(predicted, truth, g)
        x, y = xy[0].long().tolist()
        error = truth[0, y, x] != predicted[0, y, x]
        assert error
        assert label.item() == (1.0 if missed[0, y, x] else 0.0)
    # No error: a positive click inside the object.
    xy, label = prompts.corrective_clicks(truth, truth, g)
    assert label.item() == 1.0 and truth[0, int(xy[0, 1]), int(xy[0, 0])]


def test_insert_click_keeps_the_padding_point_and_box_corners_last():
    coords = torch.tensor([[[5.0, 5.0], [0.0, 0.0]], [[1.0, 2.0], [9.0, 9.0]]])
    labels = torch.tensor([[1.0, -1.0], [2.0, 3.0]])
    c, lab = insert_click(coords, labels, torch.tensor([False, True]), torch.tensor([[7.0, 7.0], [4.0, 4.0]]),
                          torch.tensor([0.0, 1.0]))
    assert lab.tolist() == [[1.0, 0.0, -1.0], [1.0, 2.0, 3.0]]
    assert c[1].tolist() == [[4.0, 4.0], [1.0, 2.0], [9.0, 9.0]]


def test_loss_takes_the_best_candidate_and_the_true_iou():
    truth = _disc().float()
    good = truth * 20 - 10
    logits = torch.stack([-good, good, torch.full_like(good, -10)], 1)  # [1, 3, H, W]
    iou_pred = torch.tensor([[0.0, 1.0, 0.0]])
    loss, best, true_iou = sam_loss(logits, iou_pred, truth)
    assert best.item() == 1 and true_iou[0, 1].item() == 1.0
    assert hard_iou(logits[:, 2:], truth[:, None])[0, 0].item() == 0.0
    assert loss.item() < 0.05


def test_iou_weight_scales_only_the_iou_head_term():
    truth = _disc().float()
    logits = torch.stack([truth * 20 - 10, torch.full_like(truth, -10)], 1)
    iou_pred = torch.tensor([[0.5, 0.5]])  # true IoUs 1 and 0: MSE 0.25 each
    masks_only, _, _ = sam_loss(logits, iou_pred, truth, iou_weight=0.0)
    weighted, _, _ = sam_loss(logits, iou_pred, truth, iou_weight=4.0)
    assert (weighted - masks_only).item() == pytest.approx(4.0 * 0.25, rel=1e-5)


def test_balanced_bce_charges_an_empty_mask_the_same_for_small_and_large_objects():
    empty = torch.full((1, 1, 64, 64), -8.0)
    small = balanced_bce_loss(empty, _disc(r=3).float()[:, None])
    large = balanced_bce_loss(empty, _disc(r=25).float()[:, None])
    assert small.item() == pytest.approx(large.item(), rel=1e-3) and small.item() > 3.5


def test_accelerated_convolutions_match_pytorch():
    model = randomize_(build_sam(PRESETS["tiny_test"]), 3)
    fast = accelerate_(copy.deepcopy(model))
    x = torch.randn(1, 3, 256, 256)
    a, b = model.image_encoder(x), fast.image_encoder(x)
    assert (a - b).abs().max() < 1e-4
    a.square().sum().backward()
    b.square().sum().backward()
    ga = model.image_encoder.patch_embed.proj.weight.grad
    gb = fast.image_encoder.patch_embed.proj.weight.grad
    assert torch.allclose(ga, gb, rtol=1e-3, atol=1e-3 * ga.abs().max().item())


def test_a_few_training_steps_reduce_the_loss_on_one_batch():
    torch.manual_seed(0)
    model = accelerate_(build_sam(PRESETS["tiny_test"])).train()
    cfg = model.config
    batch = make_batch([5], cfg.img_size, 3, cfg.pixel_mean, cfg.pixel_std)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for step in range(15):
        generator = torch.Generator().manual_seed(0)  # same prompts each step: only the weights change
        loss, _ = episode_loss(model, batch, generator, clicks=1, loss_size=64, warmup=True)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.95 * losses[0], losses


def test_accelerated_decoder_matches_pytorch_in_a_training_episode():
    """The whole decoder (transposed convolutions and mask-input downscaling rewritten): same loss, same gradients."""
    torch.manual_seed(0)
    model = build_sam(PRESETS["tiny_test"]).train()
    fast = accelerate_(copy.deepcopy(model))
    cfg = model.config
    batch = make_batch([1, 2], cfg.img_size, 3, cfg.pixel_mean, cfg.pixel_std)
    losses = []
    for m in (model, fast):
        loss, _ = episode_loss(m, batch, torch.Generator().manual_seed(4), clicks=2, loss_size=64, warmup=True)
        loss.backward()
        losses.append(loss.item())
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    for (name, p), q in zip(model.named_parameters(), fast.parameters()):
        scale = max(p.grad.abs().max().item(), 1e-6) if p.grad is not None else 0
        if scale > 1e-6:
            assert (p.grad - q.grad).abs().max().item() <= 1e-3 * scale, name



def _average_in_worker(rank: int, address: str, out: str) -> None:
    from train import Workers

    workers = Workers(rank, 2, address)
    params = [torch.nn.Parameter(torch.zeros(3)), torch.nn.Parameter(torch.zeros(2, 2)), torch.nn.Parameter(torch.zeros(1))]
    params[0].grad = torch.full((3,), float(rank + 1))  # rank 0: 1, rank 1: 2
    params[1].grad = torch.arange(4.0).reshape(2, 2) * (1 if rank == 0 else -1)
    # params[2] has no gradient on either rank (an unused head): it averages as zeros, not skipped (the flat
    # vector must have the same layout on every rank).
    averaged = workers.average_gradients(params) or [p.grad for p in params]
    progress = workers.from_first([0.25 if rank == 0 else 0.75, float(rank)])
    torch.save({"grads": averaged, "progress": progress}, f"{out}/rank{rank}.pt")


def test_data_parallel_workers_average_gradients_and_share_rank_0s_schedule(tmp_path):
    import torch.multiprocessing as mp
    from train import free_port

    mp.spawn(_average_in_worker, args=(f"tcp://127.0.0.1:{free_port()}", str(tmp_path)), nprocs=2)
    for rank in (0, 1):
        got = load_checkpoint(tmp_path / f"rank{rank}.pt")
        assert torch.equal(got["grads"][0], torch.full((3,), 1.5))
        assert torch.equal(got["grads"][1], torch.zeros(2, 2))
        assert torch.equal(got["grads"][2], torch.zeros(1))
        assert got["progress"] == [0.25, 0.0]  # rank 0's LR progress and stop flag on both


def _tagged_processes(tag: str):
    """PIDs of live processes whose environment holds `tag` (a launched run and every process it spawned)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and tag.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


@pytest.mark.parametrize(
    "stop, expected",
    [
        ("Ctrl+C", "interrupted (Ctrl+C, or train.py was killed)"),
        ("kill train.py", "interrupted (Ctrl+C, or train.py was killed)"),  # torch sends its workers a SIGINT
        ("kill train.py started with nohup", "train.py was killed (its workers stop with it)"),
    ],
)
def test_a_stopped_run_writes_its_checkpoint_and_leaves_no_worker_behind(tmp_path, stop, expected):
    import os
    import signal
    import subprocess
    import time
    import uuid

    def like_nohup():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # what & and nohup do

    def like_a_terminal():
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # even when pytest itself was started with &

    tag = f"SAM_TRAIN_TEST={uuid.uuid4()}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    script = Path(__file__).resolve().parents[1] / "train" / "train.py"
    launcher = subprocess.Popen(
        [sys.executable, str(script), "--out", str(tmp_path), "--workers", "2", "--batch-images", "1", "--objects", "1",
         "--clicks", "0", "--log-every", "1", "--validate-every", "0", "--checkpoint-minutes", "100"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        preexec_fn=like_nohup if "nohup" in stop else like_a_terminal)
    log = tmp_path / "train.log"
    try:
        deadline = time.time() + 120
        while " step 1 " not in (log.read_text() if log.exists() else ""):
            assert time.time() < deadline and launcher.poll() is None, "training never took a step"
            time.sleep(0.2)
        if stop == "Ctrl+C":
            os.killpg(launcher.pid, signal.SIGINT)  # the terminal signals the whole foreground group
            assert launcher.wait(timeout=60) == 0
        else:
            launcher.send_signal(signal.SIGKILL)
            launcher.wait()
        deadline = time.time() + 60
        while _tagged_processes(tag):
            assert time.time() < deadline, "the workers outlived train.py"
            time.sleep(0.2)
    finally:
        for pid in _tagged_processes(tag):
            os.kill(pid, signal.SIGKILL)
    assert "stopping at step" in log.read_text() and f"{expected}; checkpoint saved" in log.read_text()
    assert load_checkpoint(tmp_path / "checkpoint.pth")["step"] >= 1


def test_resolution_ceiling_loses_what_is_thinner_than_a_logit_cell():
    from evaluate import resolution_ceiling

    disc = _disc(256, 256, 128, 128, 60)[0].numpy()
    assert resolution_ceiling(disc, 64, 256) > 0.97  # a large smooth object survives 4-pixel cells
    bar = np.zeros((256, 256), dtype=bool)
    bar[102:105, 20:220] = True  # 3 pixels wide, straddling two 4-pixel cells
    coarse, fine = resolution_ceiling(bar, 64, 256), resolution_ceiling(bar, 128, 256)
    assert coarse < 0.5 < fine  # lost at 64×64 (4-px cells), kept at 128×128 (2-px cells)
