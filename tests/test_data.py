"""Tests of helpers.data on small images that each test writes itself."""

import csv
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from helpers import data, settings
from helpers.data import (
    InvalidImageError,
    list_images,
    load_dataset,
    load_image,
    split_indices,
    train_val_split,
)

RED_RGB = (255, 0, 0)
RED_BGR = (0, 0, 255)


def write_with_opencv(path, array, extension=".png"):
    """Encode an OpenCV-ordered array (gray, BGR or BGRA) and write it to path."""
    ok, encoded = cv2.imencode(extension, array)
    assert ok
    encoded.tofile(path)
    return path


def solid_bgr(height, width, bgr=RED_BGR):
    return np.full((height, width, 3), bgr, dtype=np.uint8)


def sprite_bgra(size=16, transparent_colour=(0, 0, 0)):
    """A red square in the middle of a fully transparent canvas.

    The transparent pixels store ``transparent_colour``, as many sprite
    files store black there.
    """
    image = np.zeros((size, size, 4), dtype=np.uint8)
    image[:, :, :3] = transparent_colour
    quarter = size // 4
    image[quarter:-quarter, quarter:-quarter] = (*RED_BGR, 255)
    return image


def png_chunk(chunk_type, payload):
    crc = zlib.crc32(chunk_type + payload)
    return struct.pack(">I", len(payload)) + chunk_type + payload + struct.pack(">I", crc)


def gray_png_with_colour_key(rows, bit_depth, transparent_value):
    """Encode a grayscale PNG whose tRNS chunk makes one gray value transparent.

    Neither OpenCV nor Pillow writes grayscale PNGs below 8 bits with a
    tRNS chunk, so the bytes are put together here.
    """
    height, width = len(rows), len(rows[0])
    scanlines = b""
    for row in rows:
        bits = "".join(format(value, f"0{bit_depth}b") for value in row)
        bits += "0" * (-len(bits) % 8)
        scanlines += b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"tRNS", struct.pack(">H", transparent_value))
        + png_chunk(b"IDAT", zlib.compress(scanlines))
        + png_chunk(b"IEND", b"")
    )


def make_pokemon_folder(folder, count, size=8):
    """Write pokemon (1).png ... pokemon (count).png, image i filled with gray level i."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        gray = np.full((size, size), number, dtype=np.uint8)
        write_with_opencv(folder / f"pokemon ({number}).png", gray)
    return folder


# list_images


def test_list_images_natural_order_skips_system_files(tmp_path, capsys):
    folder = make_pokemon_folder(tmp_path / "images", 12)
    (folder / "Thumbs.db").write_bytes(b"\x00" * 32)
    (folder / ".DS_Store").write_bytes(b"\x00" * 32)

    paths = list_images(folder)

    assert [path.name for path in paths] == [f"pokemon ({n}).png" for n in range(1, 13)]
    assert all(path.parent == folder for path in paths)
    report = capsys.readouterr().out
    assert "Skipped 2 entries" in report
    assert "2 system files" in report
    assert "Thumbs.db" in report
    assert ".DS_Store" in report


def test_list_images_skips_folders_hidden_and_text(tmp_path, capsys):
    folder = make_pokemon_folder(tmp_path / "images", 2)
    (folder / ".ipynb_checkpoints").mkdir()
    write_with_opencv(folder / ".ipynb_checkpoints" / "pokemon (3).png", solid_bgr(4, 4))
    write_with_opencv(folder / ".hidden.png", solid_bgr(4, 4))
    write_with_opencv(folder / "._pokemon (1).png", solid_bgr(4, 4))
    (folder / "notes.txt").write_text("not an image")
    (folder / "desktop.ini").write_text("[.ShellClassInfo]")

    paths = list_images(folder)

    assert [path.name for path in paths] == ["pokemon (1).png", "pokemon (2).png"]
    report = capsys.readouterr().out
    assert "Skipped 5 entries" in report
    assert "1 sub-folder (.ipynb_checkpoints)" in report
    assert "2 hidden files" in report
    assert "1 not an image (notes.txt)" in report
    assert "1 system file (desktop.ini)" in report


def test_list_images_silent_when_nothing_skipped(tmp_path, capsys):
    folder = make_pokemon_folder(tmp_path / "images", 3)
    list_images(folder)
    assert capsys.readouterr().out == ""


def test_list_images_finds_image_without_extension(tmp_path):
    folder = make_pokemon_folder(tmp_path / "images", 1)
    write_with_opencv(folder / "pokemon (2)", solid_bgr(4, 4))
    paths = list_images(folder, verbose=False)
    assert [path.name for path in paths] == ["pokemon (1).png", "pokemon (2)"]


def test_list_images_missing_folder(tmp_path):
    missing = tmp_path / "no such folder"
    with pytest.raises(FileNotFoundError, match="no such folder"):
        list_images(missing)


def test_list_images_file_instead_of_folder(tmp_path):
    path = write_with_opencv(tmp_path / "pokemon (1).png", solid_bgr(4, 4))
    with pytest.raises(NotADirectoryError, match="pokemon"):
        list_images(path)


def test_natural_sort_key_orders_numbers_by_value():
    names = ["pokemon (10).png", "Pokemon (2).png", "pokemon (1).png", "pokemon (100).png"]
    assert sorted(names, key=data.natural_sort_key) == [
        "pokemon (1).png",
        "Pokemon (2).png",
        "pokemon (10).png",
        "pokemon (100).png",
    ]


# load_image: colour types and transparency


def test_load_image_bgr_becomes_rgb(tmp_path):
    path = write_with_opencv(tmp_path / "red.png", solid_bgr(16, 16))
    image = load_image(path)
    assert image.shape == (64, 64, 3)
    assert image.dtype == np.uint8
    assert np.all(image == RED_RGB)


def test_load_image_rgba_black_transparent_white(tmp_path):
    path = write_with_opencv(tmp_path / "sprite.png", sprite_bgra(16))
    image = load_image(path, size=16)
    assert np.all(image[0, 0] == 255)
    assert np.all(image[:4, :] == 255)
    assert np.all(image[4:12, 4:12] == RED_RGB)


def test_load_image_background_options(tmp_path):
    path = write_with_opencv(tmp_path / "sprite.png", sprite_bgra(16, (255, 255, 255)))
    on_black = load_image(path, size=16, background="black")
    on_green = load_image(path, size=16, background=(0, 128, 0))
    assert np.all(on_black[0, 0] == (0, 0, 0))
    assert np.all(on_green[0, 0] == (0, 128, 0))
    assert np.all(on_green[8, 8] == RED_RGB)


def test_load_image_blends_partial_alpha(tmp_path):
    half_red = np.zeros((4, 4, 4), dtype=np.uint8)
    half_red[:] = (*RED_BGR, 128)
    path = write_with_opencv(tmp_path / "half.png", half_red)
    image = load_image(path, size=4)
    # 255 * 128/255 + 255 * 127/255 = 255 for red, 0 + 255 * 127/255 = 127 for green and blue.
    assert np.all(image == (255, 127, 127))


def test_load_image_rejects_invalid_background(tmp_path):
    path = write_with_opencv(tmp_path / "red.png", solid_bgr(4, 4))
    with pytest.raises(ValueError, match="purple"):
        load_image(path, background="purple")
    with pytest.raises(ValueError, match="300"):
        load_image(path, background=(300, 0, 0))


def test_load_image_grayscale(tmp_path):
    path = write_with_opencv(tmp_path / "gray.png", np.full((10, 10), 100, dtype=np.uint8))
    image = load_image(path)
    assert image.shape == (64, 64, 3)
    assert np.all(image == 100)


def test_load_image_gray_with_alpha(tmp_path):
    gray_alpha = np.zeros((16, 16, 2), dtype=np.uint8)
    gray_alpha[:, :8] = (50, 255)  # opaque dark gray on the left
    gray_alpha[:, 8:] = (0, 0)  # transparent black on the right
    path = tmp_path / "gray_alpha.png"
    Image.fromarray(gray_alpha, mode="LA").save(path)

    image = load_image(path, size=16)

    assert image.shape == (16, 16, 3)
    assert np.all(image[:, :8] == 50)
    assert np.all(image[:, 8:] == 255)
    assert load_image(path).shape == (64, 64, 3)


def test_load_image_palette_with_transparent_index(tmp_path):
    indices = np.zeros((16, 16), dtype=np.uint8)
    indices[4:12, 4:12] = 1
    palette_image = Image.fromarray(indices, mode="P")
    palette_image.putpalette([0, 0, 0, *RED_RGB] + [0] * (256 * 3 - 6))
    path = tmp_path / "palette.png"
    palette_image.save(path, transparency=0)

    image = load_image(path, size=16)

    assert image.shape == (16, 16, 3)
    assert np.all(image[0, 0] == 255)
    assert np.all(image[4:12, 4:12] == RED_RGB)
    assert load_image(path).shape == (64, 64, 3)


def test_load_image_palette_without_transparency(tmp_path):
    palette_image = Image.fromarray(np.ones((8, 8), dtype=np.uint8), mode="P")
    palette_image.putpalette([0, 0, 0, 10, 20, 30] + [0] * (256 * 3 - 6))
    path = tmp_path / "palette.png"
    palette_image.save(path)
    assert np.all(load_image(path, size=8) == (10, 20, 30))


@pytest.mark.parametrize("bit_depth", [1, 2, 4, 8])
def test_load_image_gray_colour_key(tmp_path, bit_depth):
    maximum = 2**bit_depth - 1
    rows = [[0, maximum, 0, maximum]] * 4
    path = tmp_path / f"gray{bit_depth}.png"
    path.write_bytes(gray_png_with_colour_key(rows, bit_depth, transparent_value=0))

    image = load_image(path, size=4, background=(0, 128, 0))

    assert np.all(image[:, 0] == (0, 128, 0))
    assert np.all(image[:, 1] == 255)


def test_load_image_16bit_gray_uses_own_range(tmp_path):
    gray = np.full((8, 8), 1000, dtype=np.uint16)
    gray[:, 4:] = 3000
    gray[0, 0] = 2000
    path = write_with_opencv(tmp_path / "gray16.png", gray)

    image = load_image(path, size=8)

    assert image[1, 0, 0] == 0
    assert image[0, 4, 0] == 255
    assert image[0, 0, 0] == 128  # halfway between 1000 and 3000


def test_load_image_16bit_rgba(tmp_path):
    image16 = np.zeros((8, 8, 4), dtype=np.uint16)
    image16[:, :4] = (0, 0, 4000, 65535)  # opaque red, BGRA order
    image16[:, 4:] = (0, 0, 1000, 65535)  # opaque darker red
    image16[0, :] = (0, 0, 0, 0)  # transparent row, left out of the range
    path = write_with_opencv(tmp_path / "rgba16.png", image16)

    image = load_image(path, size=8)

    assert np.all(image[0] == 255)
    assert np.all(image[1:, :4] == RED_RGB)
    # 1000 in the range 0 .. 4000 of the visible pixels: round(0.25 * 255) = 64.
    assert np.all(image[1:, 4:, 0] == 64)
    assert np.all(image[1:, 4:, 1:] == 0)


def test_load_image_format_from_content(tmp_path):
    path = write_with_opencv(tmp_path / "actually_png.jpg", sprite_bgra(16))
    image = load_image(path, size=16)
    assert np.all(image[0, 0] == 255)
    assert np.all(image[8, 8] == RED_RGB)


@pytest.mark.parametrize("extension", [".jpg", ".bmp", ".tif", ".webp"])
def test_load_image_other_formats(tmp_path, extension):
    path = write_with_opencv(tmp_path / f"red{extension}", solid_bgr(16, 16), extension)
    image = load_image(path, size=16)
    # JPEG and lossy WebP change colours slightly.
    assert np.abs(image.astype(int) - RED_RGB).max() <= 8


def test_load_image_gif_with_transparency(tmp_path):
    indices = np.ones((8, 8), dtype=np.uint8)
    indices[0] = 0
    gif = Image.fromarray(indices, mode="P")
    gif.putpalette([0, 0, 0, *RED_RGB] + [0] * (256 * 3 - 6))
    path = tmp_path / "sprite.gif"
    gif.save(path, transparency=0)

    image = load_image(path, size=8)

    assert np.all(image[0] == 255)
    assert np.all(image[1:] == RED_RGB)


# load_image: sizes and paths


def test_load_image_pads_non_square(tmp_path):
    path = write_with_opencv(tmp_path / "wide.png", solid_bgr(80, 120))
    image = load_image(path, size=64)
    # 120x80 is centred on a 120x120 white square: 20 rows above and below,
    # which become about 10.7 rows at 64x64.
    assert np.all(image[:10] == 255)
    assert np.all(image[-10:] == 255)
    assert np.all(image[12:52] == RED_RGB)


def test_load_image_non_ascii_path(tmp_path):
    folder = tmp_path / "Pokémon ñ 日本"
    folder.mkdir()
    path = write_with_opencv(folder / "ピカチュウ.png", solid_bgr(8, 8))
    assert np.all(load_image(path, size=8) == RED_RGB)


def test_load_image_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        load_image(tmp_path / "missing.png")


def test_load_image_empty_file(tmp_path):
    path = tmp_path / "pokemon (6).png"
    path.write_bytes(b"")
    with pytest.raises(InvalidImageError, match=r"pokemon \(6\)\.png.*empty") as raised:
        load_image(path)
    assert raised.value.path == path


def test_load_image_text_file_with_png_name(tmp_path):
    path = tmp_path / "broken.png"
    path.write_text("this is not an image")
    with pytest.raises(InvalidImageError, match="broken.png.*could not be decoded"):
        load_image(path)


def test_load_image_html_download(tmp_path):
    path = tmp_path / "download.png"
    path.write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    with pytest.raises(InvalidImageError, match="web page"):
        load_image(path)


def test_load_image_truncated_png(tmp_path):
    noise = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    good = write_with_opencv(tmp_path / "good.png", noise)
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:100])
    with pytest.raises(InvalidImageError, match="truncated.png"):
        load_image(truncated)


# load_dataset


def test_load_dataset_stacks_mixed_sizes(tmp_path, output_dir):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_with_opencv(folder / "pokemon (1).png", solid_bgr(64, 64))
    write_with_opencv(folder / "pokemon (2).png", solid_bgr(96, 96))
    write_with_opencv(folder / "pokemon (3).png", solid_bgr(80, 120))

    images, paths = load_dataset(folder)

    assert images.shape == (3, 64, 64, 3)
    assert images.dtype == np.float32
    assert images.min() >= 0.0
    assert images.max() <= 1.0
    assert np.all(images[0] == (1.0, 0.0, 0.0))
    assert [path.name for path in paths] == [f"pokemon ({n}).png" for n in (1, 2, 3)]


def test_load_dataset_order_matches_paths(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 12)
    images, paths = load_dataset(folder, size=8)
    assert images.shape == (12, 8, 8, 3)
    for image, path in zip(images, paths):
        number = int(path.name.split("(")[1].split(")")[0])
        assert np.allclose(image, number / 255)


def test_load_dataset_limit(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 12)
    images, paths = load_dataset(folder, size=8, limit=3)
    assert images.shape == (3, 8, 8, 3)
    assert [path.name for path in paths] == ["pokemon (1).png", "pokemon (2).png", "pokemon (3).png"]


def test_load_dataset_rejects_bad_limit(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 2)
    with pytest.raises(ValueError, match="limit"):
        load_dataset(folder, limit=0)


def test_load_dataset_empty_file_names_it(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 12)
    (folder / "pokemon (6).png").write_bytes(b"")
    with pytest.raises(InvalidImageError, match=r"pokemon \(6\)\.png") as raised:
        load_dataset(folder)
    assert "skip_invalid=True" in str(raised.value)


def test_load_dataset_skip_invalid_reports(tmp_path, output_dir, capsys):
    folder = make_pokemon_folder(tmp_path / "images", 12)
    (folder / "pokemon (6).png").write_bytes(b"")
    (folder / "pokemon (9).png").write_text("not an image")

    images, paths = load_dataset(folder, size=8, skip_invalid=True)

    assert images.shape == (10, 8, 8, 3)
    names = [path.name for path in paths]
    assert "pokemon (6).png" not in names
    assert "pokemon (9).png" not in names
    report = capsys.readouterr().out
    assert "Skipped pokemon (6).png: the file is empty" in report
    assert "Skipped pokemon (9).png: the file could not be decoded" in report


def test_load_dataset_all_invalid(tmp_path, output_dir):
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "pokemon (1).png").write_bytes(b"")
    with pytest.raises(ValueError, match="None of the 1 image files"):
        load_dataset(folder, skip_invalid=True)


def test_load_dataset_missing_folder(tmp_path, output_dir):
    with pytest.raises(FileNotFoundError, match="Train"):
        load_dataset(tmp_path / "Train")


def test_load_dataset_empty_folder(tmp_path, output_dir):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "Thumbs.db").write_bytes(b"\x00")
    with pytest.raises(ValueError, match="No image files found in .*empty"):
        load_dataset(folder)


def test_load_dataset_non_ascii_folder(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "Pokémon Ünïcödé 日本語", 3)
    images, paths = load_dataset(folder, size=8)
    assert images.shape == (3, 8, 8, 3)
    assert paths[0].parent == folder


# load_dataset: cache


def cache_files(output_dir):
    return sorted((output_dir / "cache").glob("*.npz"))


def test_cache_written_then_used(tmp_path, output_dir, monkeypatch, capsys):
    folder = make_pokemon_folder(tmp_path / "images", 4)
    first_images, first_paths = load_dataset(folder, size=8)
    assert len(cache_files(output_dir)) == 1
    assert "Decoded 4 images" in capsys.readouterr().out

    def fail_decode(*args, **kwargs):
        raise AssertionError("the images were decoded again instead of read from the cache")

    monkeypatch.setattr(data, "decode_all", fail_decode)
    cached_images, cached_paths = load_dataset(folder, size=8)

    assert np.array_equal(cached_images, first_images)
    assert cached_images.dtype == np.float32
    assert cached_paths == first_paths
    assert "cached in" in capsys.readouterr().out


def test_cache_holds_no_pickles(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 2)
    load_dataset(folder, size=8)
    (cache_path,) = cache_files(output_dir)
    with np.load(cache_path, allow_pickle=False) as cached:
        assert all(cached[name].dtype != object for name in cached.files)


def test_cache_rebuilt_when_file_changes(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 4)
    load_dataset(folder, size=8)
    write_with_opencv(folder / "pokemon (2).png", np.full((8, 8), 200, dtype=np.uint8))

    images, _ = load_dataset(folder, size=8)

    assert np.allclose(images[1], 200 / 255)
    assert len(cache_files(output_dir)) == 1


def test_cache_rebuilt_when_file_added(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 4)
    load_dataset(folder, size=8)
    write_with_opencv(folder / "pokemon (5).png", np.full((8, 8), 5, dtype=np.uint8))
    images, paths = load_dataset(folder, size=8)
    assert images.shape == (5, 8, 8, 3)
    assert paths[-1].name == "pokemon (5).png"


def test_cache_separate_for_parameters(tmp_path, output_dir):
    folder = tmp_path / "images"
    folder.mkdir()
    write_with_opencv(folder / "sprite.png", sprite_bgra(16))

    on_white, _ = load_dataset(folder, size=16)
    on_black, _ = load_dataset(folder, size=16, background="black")
    smaller, _ = load_dataset(folder, size=8)

    assert on_white[0, 0, 0, 0] == 1.0
    assert on_black[0, 0, 0, 0] == 0.0
    assert smaller.shape == (1, 8, 8, 3)
    assert len(cache_files(output_dir)) == 3


def test_cache_damaged_file_rebuilt(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 3)
    expected, _ = load_dataset(folder, size=8)
    (cache_path,) = cache_files(output_dir)
    cache_path.write_bytes(b"damaged")

    images, _ = load_dataset(folder, size=8)

    assert np.array_equal(images, expected)
    with np.load(cache_path, allow_pickle=False) as cached:
        assert cached["images"].shape == (3, 8, 8, 3)


def test_cache_disabled_writes_nothing(tmp_path, output_dir):
    folder = make_pokemon_folder(tmp_path / "images", 3)
    load_dataset(folder, size=8, cache=False)
    assert cache_files(output_dir) == []


def test_cache_keeps_skip_report(tmp_path, output_dir, capsys):
    folder = make_pokemon_folder(tmp_path / "images", 3)
    (folder / "pokemon (2).png").write_bytes(b"")
    load_dataset(folder, size=8, skip_invalid=True)
    capsys.readouterr()

    images, _ = load_dataset(folder, size=8, skip_invalid=True)

    assert images.shape == (2, 8, 8, 3)
    report = capsys.readouterr().out
    assert "cached in" in report
    assert "Skipped pokemon (2).png" in report


# Validation split


def test_split_indices_partition():
    train_idx, val_idx = split_indices(749, val_fraction=0.1, seed=0)
    assert len(val_idx) == 75
    assert len(train_idx) == 674
    assert np.array_equal(np.sort(np.concatenate([train_idx, val_idx])), np.arange(749))
    assert np.all(np.diff(train_idx) > 0)
    assert np.all(np.diff(val_idx) > 0)


def test_split_indices_deterministic():
    first = split_indices(100, seed=3)
    again = split_indices(100, seed=3)
    other_seed = split_indices(100, seed=4)
    assert np.array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other_seed[1])


def test_split_indices_small_and_zero():
    train_idx, val_idx = split_indices(2, val_fraction=0.1)
    assert len(train_idx) == 1
    assert len(val_idx) == 1
    train_idx, val_idx = split_indices(5, val_fraction=0.0)
    assert np.array_equal(train_idx, np.arange(5))
    assert len(val_idx) == 0


def test_split_indices_rejects_bad_input():
    with pytest.raises(ValueError, match="val_fraction"):
        split_indices(10, val_fraction=1.0)
    with pytest.raises(ValueError, match="1 images"):
        split_indices(1, val_fraction=0.1)


def test_train_val_split_uses_split_indices():
    images = np.arange(20, dtype=np.float32).reshape(20, 1, 1, 1)
    x_train, x_val = train_val_split(images, val_fraction=0.25, seed=1)
    train_idx, val_idx = split_indices(20, val_fraction=0.25, seed=1)
    assert x_train.shape == (15, 1, 1, 1)
    assert x_val.shape == (5, 1, 1, 1)
    assert np.array_equal(x_train.ravel(), train_idx)
    assert np.array_equal(x_val.ravel(), val_idx)


# The bundled data set


def test_bundled_dataset_loads_white(output_dir):
    images, paths = load_dataset(cache=False, verbose=False)
    assert images.shape == (749, 64, 64, 3)
    assert images.dtype == np.float32
    assert images.min() >= 0.0
    assert images.max() <= 1.0
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert np.all(corners == 1.0)
    assert paths[0].name == "pokemon (1).png"
    assert paths[-1].name == "pokemon (749).png"


def test_bundled_manifest_matches_files():
    manifest_path = settings.PROJECT_ROOT / "data" / "manifest.csv"
    with open(manifest_path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    names = [path.name for path in list_images(settings.BUNDLED_IMAGES_DIR, verbose=False)]

    assert len(rows) == 749
    assert [row["file"] for row in rows] == names
    dex_numbers = [int(row["dex_number"]) for row in rows]
    assert dex_numbers == sorted(dex_numbers)
    assert set(dex_numbers) == set(range(1, 650))
    for row in rows:
        assert len(row["source_sha256"]) == 64
        expected_name = row["dex_number"] + (f"-{row['form']}" if row["form"] else "") + ".svg"
        assert row["source_svg"] == f"sprites/pokemon/other/dream-world/{expected_name}"
