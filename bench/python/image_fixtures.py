"""Writes the image-preprocessing fixtures of tests/CoTBal.Data.Tests/Fixtures/images (run from the repo root):

    /usr/bin/python3 bench/python/image_fixtures.py

Debian 12: apt-get install python3-pil python3-numpy (Pillow 9.4, numpy 1.24).

A PIL/numpy implementation of Hugging Face's CLIPImageProcessor (transformers' image_processing_clip.py and
image_transforms.py: convert to RGB, resize so the shortest side is size.shortest_edge with PIL's filter,
centre crop to crop_size, rescale, normalise) and of LLaVA's image_aspect_ratio "pad" (llava/mm_utils.py
expand2square, filled with tuple(int(x * 255) for x in image_mean), run before the processor), written
from the documented behaviour, not imported. The resize itself is PIL's own Image.resize, which is what
the C# resampler has to reproduce.

Inputs are synthetic photo-like images made here (gradients, noise, filled and thin shapes) of several
sizes and aspect ratios: strong downscales, upscales, odd crop offsets, a crop larger than the resized
image (zero fill), an RGBA and a grayscale source, and the other PIL filters.

Output: one PNG per source, one raw little-endian float32 [3, S, S] file per case (what the model gets,
normalised), and manifest.json naming each case's source, image_aspect_ratio and preprocessor_config.
"""
import json
import math
import os

import numpy as np
from PIL import Image, ImageDraw

OUT = "tests/CoTBal.Data.Tests/Fixtures/images"
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def synthetic(width, height, seed, mode="RGB", noise=6.0):
    """A photo-like image: colour gradients, gaussian noise, filled shapes and 1-pixel lines."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / max(width - 1, 1), y / max(height - 1, 1)
    phase = rng.uniform(0, 2 * math.pi, size=3)
    rgb = np.stack([
        255 * (0.15 + 0.7 * u),
        255 * (0.5 + 0.4 * np.sin(2 * math.pi * (u + v) * 1.5 + phase[1])),
        255 * (0.85 - 0.6 * v + 0.1 * np.cos(2 * math.pi * u * 3 + phase[2])),
    ], axis=-1)
    rgb += rng.normal(0.0, noise, size=rgb.shape)
    image = Image.fromarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, x1 = sorted(rng.randint(0, width, size=2))
        y0, y1 = sorted(rng.randint(0, height, size=2))
        colour = tuple(int(c) for c in rng.randint(0, 256, size=3))
        if rng.rand() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    for _ in range(8):  # thin lines: aliasing shows here first
        points = [int(rng.randint(0, width)), int(rng.randint(0, height)), int(rng.randint(0, width)), int(rng.randint(0, height))]
        draw.line(points, fill=tuple(int(c) for c in rng.randint(0, 256, size=3)), width=1)
    if mode == "RGBA":
        alpha = np.clip(255 * (0.2 + 0.8 * u) + rng.normal(0, 4, size=u.shape), 0, 255).astype(np.uint8)
        image = image.convert("RGBA")
        image.putalpha(Image.fromarray(alpha, "L"))
    elif mode == "L":
        image = image.convert("L")
    return image


def expand2square(image, background):
    """LLaVA's expand2square: centre on a square of the background colour."""
    width, height = image.size
    if width == height:
        return image
    side = max(width, height)
    square = Image.new(image.mode, (side, side), background)
    square.paste(image, ((side - width) // 2, (side - height) // 2))
    return square


def side(value, key):
    if isinstance(value, int):
        return value
    if key in value:
        return value[key]
    assert value["height"] == value["width"]
    return value["height"]


def clip_preprocess(image, cfg):
    """CLIPImageProcessor.preprocess for one image -> float32 [3, S, S]."""
    image = image.convert("RGB")
    if cfg.get("do_resize", True):
        edge = side(cfg["size"], "shortest_edge")
        width, height = image.size
        short, long = (width, height) if width <= height else (height, width)
        if short != edge:
            new_long = int(edge * long / short)
            new_size = (edge, new_long) if width <= height else (new_long, edge)
            image = image.resize(new_size, resample=cfg.get("resample", 3))
    array = np.array(image)  # [H, W, 3] uint8
    if cfg.get("do_center_crop", True):
        crop = side(cfg["crop_size"], None)
        array = center_crop(array, crop)
    array = array.astype(np.float64)
    if cfg.get("do_rescale", True):
        array = array * cfg.get("rescale_factor", 1 / 255)
    array = array.astype(np.float32)
    if cfg.get("do_normalize", True):
        mean = np.array(cfg.get("image_mean", CLIP_MEAN), dtype=np.float32)
        std = np.array(cfg.get("image_std", CLIP_STD), dtype=np.float32)
        array = (array - mean) / std
    return np.ascontiguousarray(array.transpose(2, 0, 1).astype(np.float32))


def center_crop(array, size):
    """transformers' center_crop: offsets (h - s) // 2, (w - s) // 2; a smaller image is centred on zeros first."""
    height, width = array.shape[:2]
    top, left = (height - size) // 2, (width - size) // 2
    if top >= 0 and left >= 0:
        return array[top:top + size, left:left + size]
    new_h, new_w = max(size, height), max(size, width)
    padded = np.zeros((new_h, new_w) + array.shape[2:], dtype=array.dtype)
    top_pad, left_pad = math.ceil((new_h - height) / 2), math.ceil((new_w - width) / 2)
    padded[top_pad:top_pad + height, left_pad:left_pad + width] = array
    top, left = top + top_pad, left + left_pad
    return padded[max(0, top):min(new_h, top + size), max(0, left):min(new_w, left + size)]


def process(image, aspect, cfg):
    if aspect == "pad":
        mean = cfg.get("image_mean", CLIP_MEAN)
        image = expand2square(image.convert("RGB"), tuple(int(x * 255) for x in mean))
    return clip_preprocess(image, cfg)


def clip_config(shortest_edge, crop, **extra):
    cfg = {"crop_size": {"height": crop, "width": crop}, "do_center_crop": True, "do_convert_rgb": True,
           "do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": CLIP_MEAN,
           "image_processor_type": "CLIPImageProcessor", "image_std": CLIP_STD, "resample": 3,
           "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": shortest_edge}}
    cfg.update(extra)
    return cfg


SOURCES = {
    "photo_640x480": (640, 480, 1, "RGB", 3.0),
    "portrait_333x500": (333, 500, 2, "RGB", 6.0),
    "banner_1000x200": (1000, 200, 3, "RGB", 3.0),
    "small_50x70": (50, 70, 4, "RGB", 6.0),
    "tiny_20x13": (20, 13, 5, "RGB", 6.0),
    "alpha_120x90": (120, 90, 6, "RGBA", 6.0),
    "gray_90x160": (90, 160, 7, "L", 6.0),
}

CASES = [
    # (case, source, image_aspect_ratio, preprocessor config)
    ("photo_pad", "photo_640x480", "pad", clip_config(32, 32)),
    ("photo_crop", "photo_640x480", "square", clip_config(32, 32)),
    ("portrait_crop_odd_offsets", "portrait_333x500", "square", clip_config(36, 32)),
    ("portrait_pad", "portrait_333x500", "pad", clip_config(64, 64)),
    ("banner_pad", "banner_1000x200", "pad", clip_config(32, 32)),
    ("banner_crop", "banner_1000x200", "square", clip_config(32, 32)),
    ("small_pad_down", "small_50x70", "pad", clip_config(32, 32)),
    ("small_crop_up", "small_50x70", "square", clip_config(64, 64)),
    ("small_crop_zero_fill", "small_50x70", "square", clip_config(24, 32)),
    ("tiny_pad_up", "tiny_20x13", "pad", clip_config(48, 48)),
    ("alpha_pad", "alpha_120x90", "pad", clip_config(32, 32)),
    ("gray_crop", "gray_90x160", "square", clip_config(32, 32)),
    ("photo_bilinear", "photo_640x480", "square", clip_config(32, 32, resample=2)),
    ("photo_lanczos_siglip", "photo_640x480", "pad", clip_config(32, 32, resample=1, image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])),
    ("portrait_box", "portrait_333x500", "square", clip_config(32, 32, resample=4)),
    ("portrait_hamming", "portrait_333x500", "pad", clip_config(40, 40, resample=5)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    images = {}
    for name, (width, height, seed, mode, noise) in SOURCES.items():
        image = synthetic(width, height, seed, mode, noise)
        image.save(os.path.join(OUT, name + ".png"), optimize=True)
        images[name] = Image.open(os.path.join(OUT, name + ".png"))  # what the C# test decodes
    manifest = []
    for case, source, aspect, cfg in CASES:
        pixels = process(images[source], aspect, cfg)
        pixels.astype("<f4").tofile(os.path.join(OUT, case + ".f32"))
        manifest.append({"case": case, "source": source + ".png", "image_aspect_ratio": aspect,
                         "shape": list(pixels.shape), "preprocessor_config": cfg})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "bench/python/image_fixtures.py", "pillow": Image.__version__,
                   "numpy": np.__version__, "cases": manifest}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
