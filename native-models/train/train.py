#!/usr/bin/python3
"""Train the built-in demo SAM on synthetic scenes, the way SAM was trained, on a CPU.

  /usr/bin/python3 native-models/train/train.py --out .cache/train-demo --max-minutes 90

Each step: B scenes → image encoder once; up to K objects per scene; an interactive episode per object:
the first prompt is one point (multimask, min loss over the 3 candidates) or a noisy box (single-mask token),
then `--clicks` corrective clicks sampled from the error, each with the previous low-res logits as
mask_input (single-mask token). Loss per decoder pass: 20·focal + dice on the chosen mask (at 128², see
`--loss-size`; balanced BCE + dice in the warm-up, see losses.sam_loss), plus the MSE between the IoU head and
the true IoU; summed over the passes.

Resumable: `OUT/checkpoint.pth` (model, optimizer, step) is written every `--checkpoint-minutes`, at the end,
and when the run is stopped (Ctrl+C, or `train.py` killed: the workers finish their step first); rerunning the
same command continues from it. The log is appended to `OUT/train.log`.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import time
from pathlib import Path
from typing import Optional

# Idle OpenMP workers sleep instead of spinning: with spinning, 2 threads ran 5x slower than 1 whenever another
# process wanted a core (measured on this 2-core machine); passive, 2 threads are never slower than 1.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sam_tools import SamConfig, SamToolsError, load_checkpoint  # noqa: E402
from sam_tools.sam import Sam  # noqa: E402

from data import TRAIN_SEED_BASE, VALIDATION_SEED_BASE, Batch, make_batch  # noqa: E402
from losses import IOU_WEIGHT, sam_loss  # noqa: E402
from affinity import AffinityHead, affinity_loss, affinity_targets, cell_owners  # noqa: E402
from fastops import accelerate_  # noqa: E402
from model import CONFIGS, build_demo, decode  # noqa: E402
from prompts import corrective_clicks, first_points, noisy_boxes  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--out", type=Path, required=True, help="run folder: checkpoint.pth, train.log")
    p.add_argument("--steps", type=int, default=100000, help="total optimizer steps (the LR schedule spans them)")
    p.add_argument("--max-minutes", type=float, default=0,
                   help="wall-time budget: the LR schedule follows whichever of steps and time runs out first, "
                   "and training stops (with a checkpoint) when it does")
    p.add_argument("--encoder", choices=sorted(CONFIGS), default="vit",
                   help="image encoder: vit (Meta's ViT, patch 16, 64² low-res masks; the shipped model) or conv "
                   "(sam_tools/conv_encoder.py: stride 8, 128² low-res masks, ~2.7× slower per step here); a resumed run "
                   "keeps its checkpoint's")
    p.add_argument("--batch-images", type=int, default=4)
    p.add_argument("--objects", type=int, default=6, help="objects per scene per step (at most)")
    p.add_argument("--clicks", type=int, default=2, help="corrective clicks per episode")
    p.add_argument("--loss-size", type=int, default=128, help="side at which mask losses are computed")
    p.add_argument("--bce-warmup", type=float, default=0.25,
                   help="fraction of training (by progress) that uses balanced BCE + dice before SAM's focal + dice, with "
                   "one corrective click instead of --clicks (see losses.sam_loss)")
    p.add_argument("--loss", choices=("focal", "bce"), default="focal",
                   help="mask loss after the warm-up: bce (binary cross-entropy + dice) or focal (SAM's 20:1 focal + dice)")
    p.add_argument("--iou-weight", type=float, default=IOU_WEIGHT,
                   help="weight of the IoU head's MSE against the mask loss (SAM's: 1)")
    p.add_argument("--affinity-weight", type=float, default=0.0,
                   help="weight of the dense pixel-pair affinity loss on the image encoder (train/affinity.py; a "
                   "training-only head, not exported); 0 turns it off")
    p.add_argument("--lr", type=float, default=1.5e-3, help="peak learning rate of the image encoder")
    p.add_argument("--decoder-lr", type=float, default=3e-3,
                   help="peak learning rate of the prompt encoder and mask decoder (from scratch they learn to "
                   "follow the prompt several times faster at 3e-3 than at 1e-3)")
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--workers", type=int, default=2,
                   help="data-parallel processes, one per core: each draws its own scenes, gradients are averaged "
                   "(gloo on 127.0.0.1) so every process takes the same step; the batch is workers × --batch-images")
    p.add_argument("--threads", type=int, default=1,
                   help="intra-op threads per worker (on 2 cores one 2-thread process ran 1.75× slower per step than a "
                   "1-thread one: this model's ops are too small to split)")
    p.add_argument("--seed", type=int, default=0, help="weight initialization seed")
    p.add_argument("--checkpoint-minutes", type=float, default=5)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--validate-every", type=int, default=400)
    return p.parse_args(argv)


def learning_rate(step: int, progress: float, peak: float, warmup: int) -> float:
    """Linear warmup over `warmup` steps, then cosine decay to 5 % of the peak as `progress` goes 0 → 1."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def upsample(low_res: torch.Tensor, size: int) -> torch.Tensor:
    """[N, T, 4g, 4g] → [N, T, S, S], bilinear (half-pixel), as the exported decoder upsamples."""
    return F.interpolate(low_res, (size, size), mode="bilinear", align_corners=False)


def episode_loss(model: Sam, batch: Batch, generator: torch.Generator, clicks: int, loss_size: int = 128,
                 warmup: bool = False, focal: bool = True, iou_weight: float = IOU_WEIGHT,
                 affinity: Optional[AffinityHead] = None, affinity_weight: float = 0.0):
    """One interactive episode per object → (loss, stats dict).

    Mask losses are computed at `loss_size`² (logits upsampled from the low-res masks, the truth area-averaged
    down to soft targets); clicks are sampled on the full S×S masks.
    """
    cfg = model.config
    s, low = cfg.img_size, cfg.low_res_size
    truth = batch.masks
    n = truth.shape[0]
    truth_f = F.adaptive_avg_pool2d(truth.float()[:, None], loss_size)[:, 0]
    image_embeddings = model.image_encoder(batch.images)
    embeddings = image_embeddings[batch.image_index]

    use_box = torch.rand(n, generator=generator) < 0.5
    points = first_points(truth, generator)
    boxes = noisy_boxes(truth, generator)
    # Point rows: the point, then the padding point (0, 0, −1). Box rows: the two corners (2, 3). Both 2 tokens.
    coords = torch.where(use_box[:, None, None], boxes.reshape(n, 2, 2), torch.stack([points, torch.zeros_like(points)], 1))
    labels = torch.where(use_box[:, None], torch.tensor([2.0, 3.0]), torch.tensor([1.0, -1.0]))
    mask_input = torch.zeros(n, 1, low, low)
    has_mask = torch.zeros(n)

    total = 0.0
    stats = {}
    dense = torch.zeros(())
    if affinity is not None and affinity_weight > 0:
        targets, valid = affinity_targets(cell_owners(batch.owners, low))
        dense, stats["affinity_acc"] = affinity_loss(affinity(image_embeddings), targets, valid)
    for it in range(clicks + 1):
        low_res, iou_pred = decode(model, embeddings, coords, labels, mask_input, has_mask)
        logits = upsample(low_res, loss_size)
        if it == 0:
            # Single point → multimask tokens 1..3 with min loss; box → the single-mask token 0.
            pt = ~use_box
            loss = logits.new_zeros(())
            chosen = torch.zeros(n, dtype=torch.long)
            if pt.any():
                loss_pt, best_pt, iou_pt = sam_loss(logits[pt, 1:], iou_pred[pt, 1:], truth_f[pt], warmup, focal, iou_weight)
                loss = loss + loss_pt * pt.sum() / n
                chosen[pt] = best_pt + 1
                stats["iou_point"] = iou_pt.gather(1, best_pt[:, None]).mean().item()
            if use_box.any():
                loss_bx, _, iou_bx = sam_loss(logits[use_box, :1], iou_pred[use_box, :1], truth_f[use_box], warmup, focal, iou_weight)
                loss = loss + loss_bx * use_box.sum() / n
                stats["iou_box"] = iou_bx.mean().item()
        else:
            loss, _, iou_t = sam_loss(logits[:, :1], iou_pred[:, :1], truth_f, warmup, focal, iou_weight)
            chosen = torch.zeros(n, dtype=torch.long)
            stats[f"iou_click{it}"] = iou_t.mean().item()
        total = total + loss
        if it == clicks:
            break
        rows = torch.arange(n)
        with torch.no_grad():
            predicted = upsample(low_res[rows, chosen][:, None], s)[:, 0] > 0
            xy, lab = corrective_clicks(predicted, truth, generator)
        mask_input = low_res[rows, chosen][:, None].detach()
        has_mask = torch.ones(n)
        coords, labels = insert_click(coords, labels, use_box, xy, lab)
    return total / (clicks + 1) + affinity_weight * dense, stats


def insert_click(coords, labels, use_box, xy, label):
    """Add a click after the earlier points: before the padding point (point rows) or the box corners (box
    rows), which is where Meta's predictor puts points → (coords [N, T+1, 2], labels [N, T+1])."""
    xy, label = xy[:, None], label[:, None]
    after_points = (torch.cat([coords[:, :-1], xy, coords[:, -1:]], 1), torch.cat([labels[:, :-1], label, labels[:, -1:]], 1))
    after_box = (torch.cat([coords[:, :-2], xy, coords[:, -2:]], 1), torch.cat([labels[:, :-2], label, labels[:, -2:]], 1))
    return (torch.where(use_box[:, None, None], after_box[0], after_points[0]),
            torch.where(use_box[:, None], after_box[1], after_points[1]))


def validate(model: Sam, scenes: int = 40) -> float:
    """Mean 1-click IoU (interior click, highest-predicted-IoU candidate) on validation scenes."""
    from evaluate import TorchBackend, evaluate

    model.eval()
    episodes = evaluate(TorchBackend(model), scenes, clicks=0, box=False, seed_base=VALIDATION_SEED_BASE,
                        log=lambda _m: None)
    model.train()
    return sum(e.ious[0] for e in episodes) / max(1, len(episodes))


def save_checkpoint(path: Path, model: Sam, optimizer, step: int, elapsed: float, args, affinity=None) -> None:
    temp = path.with_suffix(".tmp")
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
             "elapsed": elapsed, "config": model.config.to_json_dict(),
             "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}
    if affinity is not None:
        state["affinity"] = affinity.state_dict()  # training only: export reads "model"
    torch.save(state, temp)
    os.replace(temp, path)


def main(argv=None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    refuse_mismatched_resume(args)  # here, once, rather than a traceback from every worker
    if args.workers <= 1:
        return train(0, args, None)
    import torch.multiprocessing as mp

    workers = mp.spawn(train, args=(args, f"tcp://127.0.0.1:{free_port()}"), nprocs=args.workers, join=False)
    while True:
        try:
            if workers.join():
                return 0
        except KeyboardInterrupt:
            continue  # Ctrl+C reached the workers too: they finish the step, write the checkpoint and stop


def refuse_mismatched_resume(args) -> None:
    checkpoint = args.out / "checkpoint.pth"
    if not checkpoint.exists():
        return
    try:
        state = load_checkpoint(checkpoint)  # a resume loads it as data only (issue 18)
    except SamToolsError as error:
        raise SystemExit(str(error)) from None
    wanted, trained = args.affinity_weight > 0, "affinity" in state
    if wanted != trained:
        raise SystemExit(f"{checkpoint}: trained with{'out' if wanted else ''} the affinity head; resume it "
                         f"with{'' if wanted else ' a non-zero'} --affinity-weight{' 0' if wanted else ''}")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Workers:
    """The data-parallel group (or a group of one): same start, same LR, same stop, averaged gradients."""

    def __init__(self, rank: int, count: int, address):
        self.rank, self.count = rank, count
        self.launcher = os.getppid()
        self.interrupted = False
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # ignored when started with & or nohup
            signal.signal(signal.SIGINT, self._interrupt)
        if count > 1:
            import torch.distributed as dist

            dist.init_process_group("gloo", init_method=address, rank=rank, world_size=count)
            self.dist = dist

    def average_gradients(self, params) -> None:
        if self.count == 1:
            return
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        flat = torch.cat([g.reshape(-1) for g in grads])
        self.dist.all_reduce(flat)
        flat /= self.count
        offset = 0
        for p, g in zip(params, grads):
            p.grad = flat[offset : offset + g.numel()].view_as(g)
            offset += g.numel()

    def _interrupt(self, *_) -> None:
        self.interrupted = True

    def stop_reason(self):
        """Why to stop after this step, agreed by every worker (None: go on).

        Ctrl+C reaches every process; when `train.py` itself is killed, torch gives its workers a SIGINT too. Either
        way the step finishes and the checkpoint is written, so at most one step is lost. Started with & or nohup
        the workers ignore SIGINT, and killing `train.py` used to leave them training on, unseen, competing for
        the cores (found the hard way): so each worker also checks that its launcher is still its parent.
        """
        flags = torch.tensor([float(self.interrupted), float(self.count > 1 and os.getppid() != self.launcher)])
        if self.count > 1:
            self.dist.all_reduce(flags, op=self.dist.ReduceOp.MAX)
        if flags[0]:
            return "interrupted (Ctrl+C, or train.py was killed)"
        if flags[1]:
            return "train.py was killed (its workers stop with it)"
        return None

    def from_first(self, values):
        """Rank 0's numbers (progress, stop) on every rank, so the LR and the stop agree exactly."""
        if self.count == 1:
            return values
        t = torch.tensor(values, dtype=torch.float64)
        self.dist.broadcast(t, 0)
        return t.tolist()


def train(rank: int, args, address) -> int:
    workers = Workers(rank, max(1, args.workers), address)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    checkpoint = args.out / "checkpoint.pth"
    state = load_checkpoint(checkpoint) if checkpoint.exists() else None
    config = SamConfig.from_json_dict(state["config"], str(checkpoint)) if state else CONFIGS[args.encoder]
    model = accelerate_(build_demo(config)).train()
    affinity = accelerate_(AffinityHead(config.out_chans)).train() if args.affinity_weight > 0 else None
    encoder = list(model.image_encoder.parameters())
    rest = [p for name, p in model.named_parameters() if not name.startswith("image_encoder.")]
    groups = [{"params": encoder, "peak": args.lr}, {"params": rest, "peak": args.decoder_lr}]
    if affinity is not None:
        groups.append({"params": list(affinity.parameters()), "peak": args.decoder_lr})
    optimizer = torch.optim.AdamW(groups, lr=args.lr, weight_decay=args.weight_decay, betas=(0.9, 0.999))
    step, elapsed = 0, 0.0
    if state:
        model.load_state_dict(state["model"])
        if affinity is not None:
            affinity.load_state_dict(state["affinity"])
        optimizer.load_state_dict(state["optimizer"])
        step, elapsed = state["step"], state["elapsed"]
    log_file = open(args.out / "train.log", "a") if rank == 0 else None

    def log(message: str) -> None:
        if log_file is None:
            return
        line = f"[{time.strftime('%H:%M:%S')}] {message}"
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    params = sum(p.numel() for p in model.parameters())
    log(f"{'resume at step ' + str(step) if step else 'start'}: {params / 1e6:.2f} M parameters, "
        f"{config.encoder_type} encoder (grid {config.grid}), {args.steps} steps, {workers.count} × {args.batch_images} scenes × ≤ {args.objects} objects, {args.clicks} corrective "
        f"clicks, lr {args.lr} (decoder {args.decoder_lr}), BCE warm-up {args.bce_warmup:.0%}, IoU weight {args.iou_weight}, "
        f"affinity weight {args.affinity_weight}, "
        f"budget {args.max_minutes} min, threads {args.threads}")
    session_start = time.time()
    last_checkpoint = time.time()
    window = {"loss": 0.0, "n": 0, "objects": 0}
    window_stats: dict = {}
    window_start = time.time()
    parameters = list(model.parameters()) + (list(affinity.parameters()) if affinity is not None else [])
    while step < args.steps:
        (spent,) = workers.from_first([elapsed + time.time() - session_start])
        out_of_time = args.max_minutes and spent / 60 >= args.max_minutes
        why = f"--max-minutes {args.max_minutes} reached" if out_of_time else workers.stop_reason()
        if why:
            if rank == 0:
                save_checkpoint(checkpoint, model, optimizer, step, spent, args, affinity)
            log(f"stopping at step {step}: {why}; checkpoint saved (rerun to continue)")
            break
        generator = torch.Generator().manual_seed(1_000_003 * (step + 1) + args.seed + 7919 * rank)
        first = (step * workers.count + rank) * args.batch_images  # each worker its own scenes
        seeds = [TRAIN_SEED_BASE + first + i for i in range(args.batch_images)]
        batch = make_batch(seeds, config.img_size, args.objects, config.pixel_mean, config.pixel_std)
        progress = max(step / args.steps, spent / (args.max_minutes * 60) if args.max_minutes else 0.0)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, progress, group["peak"], args.warmup)
        warming = progress < args.bce_warmup
        optimizer.zero_grad(set_to_none=True)
        loss, stats = torch.zeros(()), {}
        if batch.masks.shape[0]:  # (a scene without objects still joins the gradient average, with zeros)
            loss, stats = episode_loss(model, batch, generator, min(1, args.clicks) if warming else args.clicks,
                                       args.loss_size, warmup=warming, focal=args.loss == "focal",
                                       iou_weight=args.iou_weight, affinity=affinity,
                                       affinity_weight=args.affinity_weight)
            loss.backward()
        workers.average_gradients(parameters)
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        step += 1
        window["loss"] += loss.item()
        window["n"] += 1
        window["objects"] += batch.masks.shape[0]
        for k, v in stats.items():
            if v == v:  # not NaN
                window_stats.setdefault(k, []).append(v)
        now = time.time()
        if step % args.log_every == 0 or step == args.steps:
            rate = window["n"] * args.batch_images * workers.count / (now - window_start)
            parts = " ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in sorted(window_stats.items()))
            phase = "bce" if warming else args.loss  # "bce" in the warm-up: balanced BCE + dice
            log(f"step {step} {phase} loss {window['loss'] / window['n']:.4f} {parts} lr {optimizer.param_groups[0]['lr']:.2e} "
                f"{rate:.2f} scenes/s elapsed {(elapsed + now - session_start) / 60:.1f} min")
            window = {"loss": 0.0, "n": 0, "objects": 0}
            window_stats = {}
            window_start = time.time()
        if rank == 0 and args.validate_every and step % args.validate_every == 0:
            log(f"step {step} validation 1-click mIoU {validate(model):.3f}")
        if rank == 0 and (time.time() - last_checkpoint >= args.checkpoint_minutes * 60 or step == args.steps):
            save_checkpoint(checkpoint, model, optimizer, step, elapsed + time.time() - session_start, args, affinity)
            last_checkpoint = time.time()
    total = elapsed + time.time() - session_start
    log(f"done: step {step}, wall time {total / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
