"""`uploads`: peak memory of normalising the worst photo and receipt we accept, against decoding one
2048 px image (the floor).

Each measurement runs in a process of its own (Django set up, the file already read), which resets
its peak RSS (`/proc/self/clear_refs`) right before the work and reports how far the peak rose
above the RSS it had: the figure is that rise in MB, the floor the rise for decoding a 2048 × 1536
JPEG. The files are the worst each cap lets through: the largest-pixel baseline JPEG (9248 × 6936,
a 64 MP phone's full-resolution mode, decoded at 1/4), the JPEG that drafting helps least (4095 ×
4095, decoded whole: just under twice the target per side), the largest PNG (4096 × 4096 RGBA,
decoded whole), that PNG as a receipt, and the 6,300 × 6,300 PNG a real user sent (refused from its
header). Then four of the worst PNG at once in one process, with IMAGE_WORK_SLOTS=2 (the default)
and, for comparison, 4. Goals: a single file within 8× the floor (the worst decodes 16.8 MP, 5.3×
the floor's pixels, by itself), four at once within 1.1 × slots × one file (the bound, plus what
malloc keeps), the refused file within 1× the floor.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from .common import as_options, figure

SINGLE_GOAL = 8.0
ALLOCATOR_MARGIN = 1.1  # malloc keeps a little of what a worker thread freed
CHILD = "from benchmarks.uploads import child; child()"


def add_arguments(parser):
    parser.add_argument("--slots", type=int, default=2, help="IMAGE_WORK_SLOTS for the four-at-once figure")


def png_bytes(width, height, *, alpha=False, color=(30, 120, 60)):
    """A one-colour PNG written row by row (the pixels never in memory)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixel = bytes(color) + (b"\xff" if alpha else b"")
    row = b"\x00" + pixel * width
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_bytes(width, height):
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (90, 140, 60))
    draw = ImageDraw.Draw(image)
    for n in range(0, width, max(1, width // 16)):
        draw.rectangle([n, 0, n + width // 64, height], fill=(200, 180, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _files(folder):
    made = {
        "decode_2048.jpg": lambda: jpeg_bytes(2048, 1536),
        "jpeg_largest.jpg": lambda: jpeg_bytes(9248, 6936),
        "jpeg_worst.jpg": lambda: jpeg_bytes(4095, 4095),
        "png_largest.png": lambda: png_bytes(4096, 4096, alpha=True),
        "png_6300.png": lambda: png_bytes(6300, 6300),
    }
    paths = {}
    for name, make in made.items():
        path = Path(folder) / name
        path.write_bytes(make())
        paths[name.split(".")[0]] = str(path)
    return paths


def _measure(job, path, *, copies=1, slots=2):
    env = {**os.environ, "IMAGE_WORK_SLOTS": str(slots)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps({"job": job, "path": path, "copies": copies})],
                          env=env, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode:
        raise RuntimeError(f"uploads bench child failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(options, emit):
    options = as_options(options)
    with tempfile.TemporaryDirectory(prefix="ocop-bench-uploads-") as folder:
        paths = _files(folder)
        floor = _measure("decode", paths["decode_2048"])
        figure(emit, "uploads.floor_decode_2048_mb", floor["rise_mb"], "MB", goal=None, met=None,
               process_mb=floor["before_mb"], peak_mb=floor["peak_mb"],
               note="peak RSS rise for Image.open(...).load() of a 2048 x 1536 JPEG; process_mb: the "
                    "measuring process before any work (Django and Pillow loaded, file read)")
        base = floor["rise_mb"]
        single = {}
        for name, job, path, what in (
            ("uploads.jpeg_largest_mb", "photo", "jpeg_largest", "9248 x 6936 baseline JPEG (64 MP), a product photo"),
            ("uploads.jpeg_worst_mb", "photo", "jpeg_worst", "4095 x 4095 baseline JPEG, decoded whole, a product photo"),
            ("uploads.png_largest_mb", "photo", "png_largest", "4096 x 4096 RGBA PNG, decoded whole, a product photo"),
            ("uploads.receipt_png_mb", "receipt", "png_largest", "the same PNG as a manual-sale receipt"),
        ):
            result = _measure(job, paths[path])
            single[name] = result["rise_mb"]
            figure(emit, name, result["rise_mb"], "MB", floor=base, goal=f"<= {SINGLE_GOAL:g}x floor",
                   met=result["outcome"] == "accepted" and result["rise_mb"] <= SINGLE_GOAL * base,
                   outcome=result["outcome"], process_mb=result["before_mb"], peak_mb=result["peak_mb"], note=what)
        refused = _measure("photo", paths["png_6300"])
        figure(emit, "uploads.png_6300_refused_mb", refused["rise_mb"], "MB", floor=base, goal="<= 1x floor",
               met=refused["outcome"] == "photo_too_many_pixels" and refused["rise_mb"] <= base,
               outcome=refused["outcome"], process_mb=refused["before_mb"], peak_mb=refused["peak_mb"],
               note="6,300 x 6,300 PNG (~130 KB): refused from its header")
        worst = single["uploads.png_largest_mb"]
        four = _measure("photo", paths["png_largest"], copies=4, slots=options.slots)
        bound = ALLOCATOR_MARGIN * min(4, options.slots)
        figure(emit, "uploads.four_at_once_mb", four["rise_mb"], "MB", floor=worst,
               goal=f"<= {bound:.1f}x one file", met=four["outcome"] == "accepted" and four["rise_mb"] <= bound * worst,
               slots=options.slots, outcome=four["outcome"], process_mb=four["before_mb"], peak_mb=four["peak_mb"],
               note="four threads normalising the 4096 x 4096 PNG at once; floor: one of them alone")
        unbounded = _measure("photo", paths["png_largest"], copies=4, slots=4)
        figure(emit, "uploads.four_at_once_4_slots_mb", unbounded["rise_mb"], "MB", floor=worst, goal=None, met=None,
               slots=4, outcome=unbounded["outcome"], process_mb=unbounded["before_mb"], peak_mb=unbounded["peak_mb"],
               note="the same with IMAGE_WORK_SLOTS=4: what the bound saves")


# --- In the measuring process ---------------------------------------------------------------------

def _status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return None


def _reset_peak():
    """Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def child():
    import gc
    import threading

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from common.exceptions import DomainError
    from payments import evidence
    from producers import photos

    spec = json.loads(sys.argv[1])
    data = Path(spec["path"]).read_bytes()
    outcomes = []

    def work():
        try:
            if spec["job"] == "decode":
                import io

                Image.open(io.BytesIO(data)).load()
            elif spec["job"] == "receipt":
                evidence.sanitised(SimpleUploadedFile("r.png", data))
            else:
                photos.normalise_photo(data)
            outcomes.append("accepted")
        except DomainError as error:
            outcomes.append(error.code)

    gc.collect()
    _reset_peak()
    before = _status_mb("VmRSS")
    threads = [threading.Thread(target=work) for _ in range(spec["copies"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    peak = _status_mb("VmHWM")
    outcome = outcomes[0] if len(set(outcomes)) == 1 else ",".join(outcomes)
    print(json.dumps({"before_mb": round(before, 1), "peak_mb": round(peak, 1),
                      "rise_mb": round(max(0.0, peak - before), 1), "outcome": outcome}))
