"""The committed fast-variant fixtures (issue 15) are what make_fast_variant_fixtures.py produces now (byte for
byte, but for float rounding across CPUs), and each model folder stays within 2 MB."""

from __future__ import annotations

from pathlib import Path

import make_fast_variant_fixtures as generator
from fixture_diff import file_differences

COMMITTED = Path(generator.NATIVE_MODELS).parent / "tests" / "fixtures"


def generated_files(root: Path):
    folders = [root / "models" / layout for layout in generator.BUILDERS] + [root / "reference" / "fast"]
    return sorted(p.relative_to(root) for f in folders for p in f.rglob("*") if p.is_file() and p.suffix != ".md")


def test_regenerating_gives_the_committed_bytes(tmp_path):
    (tmp_path / "reference").mkdir()
    for name in generator.IMAGES:  # the generator reads the committed reference images
        (tmp_path / "reference" / f"{name}.png").write_bytes((COMMITTED / "reference" / f"{name}.png").read_bytes())
    generator.main(["--out", str(tmp_path)])
    assert generated_files(tmp_path) == generated_files(COMMITTED)
    # A thresholded mask may flip a pixel whose logit is within float noise of 0 (fixture_diff.py).
    differing = {
        str(p): why
        for p in generated_files(tmp_path)
        if (why := file_differences(tmp_path / p, COMMITTED / p, mask_tolerance=1e-3))
    }
    assert not differing, f"fixtures are stale; rerun {generator.COMMAND}: {differing}"


def test_model_folders_stay_within_2_mb():
    for layout in generator.BUILDERS:
        folder = COMMITTED / "models" / layout
        assert sum(f.stat().st_size for f in folder.iterdir()) <= 2_000_000, layout
