"""Small images for the image-loader tests (tests/fixtures/images/, described in its README.md).

Each is 40×24 stored pixels. Most use four flat quadrants so orientation and colour handling can be checked by
sampling quadrant centres. 16-bit samples are v·257, so the 8-bit value is v whether a decoder takes the high
byte or rounds v16/257.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Dict, Tuple

import numpy as np
from PIL import Image

W, H = 40, 24
QUADRANTS = {  # (top-left, top-right, bottom-left, bottom-right) colours
    "primary": ((255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)),
    "muted": ((128, 64, 32), (32, 128, 64), (64, 32, 128), (250, 250, 250)),
}


def quadrant_image(colours) -> np.ndarray:
    """uint8 [H, W, 3] with the four colours in the four quadrants."""
    tl, tr, bl, br = colours
    image = np.zeros((H, W, 3), dtype=np.uint8)
    image[: H // 2, : W // 2], image[: H // 2, W // 2 :] = tl, tr
    image[H // 2 :, : W // 2], image[H // 2 :, W // 2 :] = bl, br
    return image


def png_bytes(samples: np.ndarray, colour_type: int) -> bytes:
    """A PNG from big-endian 16-bit samples ([H, W] grey: colour type 0, [H, W, 3] RGB: type 2).

    Written by hand because PIL cannot save 48-bit RGB PNGs.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    h, w = samples.shape[:2]
    rows = samples.astype(">u2").reshape(h, -1).tobytes()
    stride = len(rows) // h
    raw = b"".join(b"\x00" + rows[y * stride : (y + 1) * stride] for y in range(h))  # filter type 0 per row
    header = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def write_loader_images(out: Path) -> Dict[str, Tuple[int, int]]:
    """Write every loader fixture into `out`; → {file: stored (width, height)}."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}

    # EXIF orientation 6: stored 40×24 landscape, displayed rotated 90° clockwise as 24×40 portrait.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(quadrant_image(QUADRANTS["primary"])).save(
        out / "exif-orientation-6.jpg", quality=95, subsampling=0, exif=exif.tobytes()
    )
    written["exif-orientation-6.jpg"] = (W, H)

    ramp = (np.arange(W) * 255 // (W - 1)).astype(np.uint8)
    grey = np.tile(ramp, (H, 1))
    Image.fromarray(grey, mode="L").save(out / "gray.png")
    written["gray.png"] = (W, H)

    # Left half opaque, right half fully transparent with the same RGB: a loader that drops alpha (as
    # PIL's convert("RGB") does) sees one flat colour; one that composites would not.
    rgba = np.zeros((H, W, 4), dtype=np.uint8)
    rgba[..., :3] = (200, 100, 50)
    rgba[:, : W // 2, 3] = 255
    Image.fromarray(rgba, mode="RGBA").save(out / "rgba.png")
    written["rgba.png"] = (W, H)

    palette_image = Image.fromarray(quadrant_image(QUADRANTS["primary"])).quantize(colors=4, method=Image.MEDIANCUT)
    palette_image.save(out / "palette.png")
    written["palette.png"] = (W, H)

    (out / "rgb16.png").write_bytes(png_bytes(quadrant_image(QUADRANTS["muted"]).astype(np.uint16) * 257, 2))
    written["rgb16.png"] = (W, H)
    (out / "gray16.png").write_bytes(png_bytes(grey.astype(np.uint16) * 257, 0))
    written["gray16.png"] = (W, H)

    # A valid 8-bit PNG (stored uncompressed, so the IDAT chunk is most of the file) cut in its image data.
    buffer = io.BytesIO()
    Image.fromarray(quadrant_image(QUADRANTS["primary"])).save(buffer, format="PNG", compress_level=0)
    (out / "truncated.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    written["truncated.png"] = (W, H)
    return written
