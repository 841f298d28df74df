"""Find, decode, resize and cache the images an autoencoder trains on.

The course trains on a folder of images such as the bundled
``data/pokemon/pokemon (1).png`` ... ``pokemon (749).png``. The functions
here turn such a folder into one array:

- ``list_images`` finds the image files in natural order and skips the rest.
- ``load_image`` decodes one file to a (size, size, 3) uint8 RGB array.
- ``load_dataset`` loads a whole folder as float32 in [0, 1], with an
  on-disk cache so that loading the same folder again is fast.
- ``split_indices`` and ``train_val_split`` make a deterministic
  validation split.

Every image goes through the same steps: decode from the file's bytes
(the format is detected from the content), convert to 8-bit RGB,
composite any transparency over a background colour, pad to a square with
that colour, and resize with ``cv2.INTER_AREA`` as the original script does.
"""

import hashlib
import re
import zipfile
from pathlib import Path

import cv2
import numpy as np

from helpers import settings
from helpers.settings import display_path, replace_on_success

# Extensions of the formats OpenCV decodes. A file with another extension
# is still listed when its first bytes show an image format.
IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".dib", ".gif", ".tif", ".tiff",
     ".webp", ".jp2", ".pbm", ".pgm", ".ppm", ".pnm", ".avif"}
)

# Files that operating systems and file managers write into image folders.
SYSTEM_FILE_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"})

# First bytes of the image formats above, used to recognise an image whose
# name has no image extension.
IMAGE_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BM",  # BMP
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"\x00\x00\x00\x0cjP  ",  # JPEG 2000
)

BACKGROUND_COLOURS = {"white": (255, 255, 255), "black": (0, 0, 0)}

# Part of the cache key: change it whenever the decoding or resizing steps
# change, so that caches written by older code are rebuilt.
CACHE_FORMAT_VERSION = 1


class InvalidImageError(ValueError):
    """An image file that is empty or cannot be decoded.

    ``path`` is the file, ``reason`` a short description of the problem,
    and the message adds what to do about it.
    """

    def __init__(self, path, reason, advice):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason} {advice}")


# Finding the image files


def natural_sort_key(name):
    """Return a key that sorts numbers inside names by value.

    ``pokemon (2).png`` then sorts before ``pokemon (10).png``. Letters are
    compared without case, and the name itself breaks ties.
    """
    parts = re.split(r"(\d+)", name.casefold())
    # re.split puts the numbers at the odd positions, so two keys always
    # compare text with text and numbers with numbers.
    parts = [int(part) if index % 2 else part for index, part in enumerate(parts)]
    return parts, name


def has_image_signature(path):
    """Return True when the file's first bytes show a known image format."""
    try:
        with open(path, "rb") as file:
            header = file.read(16)
    except OSError:
        return False
    if header.startswith(b"RIFF") and header[8:12] == b"WEBP":
        return True
    return header.startswith(IMAGE_SIGNATURES)


def skip_reason(path):
    """Return why list_images skips this folder entry, or None to keep it."""
    name = path.name
    if path.is_dir():
        return "sub-folder"
    if name.casefold() in SYSTEM_FILE_NAMES:
        return "system file"
    if name.startswith("."):
        # Also covers the "._name.png" metadata files that macOS writes.
        return "hidden file"
    if not path.is_file():
        return "not a regular file"
    if path.suffix.casefold() in IMAGE_EXTENSIONS or has_image_signature(path):
        return None
    return "not an image"


def scan_folder(folder):
    """Sort the entries of a folder into image files and skipped entries.

    Parameters
    ----------
    folder : str or Path
        Folder to scan. Sub-folders are not searched.

    Returns
    -------
    images : list of Path
        Image files in natural order. An entry counts as an image file when
        its extension is an image extension or its first bytes are those of
        an image format, so an empty ``.png`` is listed and fails later, when
        it is loaded, with an error that names it.
    skipped : dict of str to list of str
        Names of the skipped entries, by reason: ``"sub-folder"``,
        ``"system file"`` (Thumbs.db, desktop.ini, .DS_Store),
        ``"hidden file"`` (name starts with a dot) or ``"not an image"``.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    NotADirectoryError
        If the path is a file.
    """
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(
            f"Image folder not found: {folder} (absolute path: {folder.absolute()}). "
            "Check the path, or pass folder=None to load_dataset to use the "
            "bundled Pokémon images."
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"{folder} is a file, not a folder. Pass the folder that contains "
            "the images."
        )

    images = []
    skipped = {}
    for entry in folder.iterdir():
        reason = skip_reason(entry)
        if reason is None:
            images.append(entry)
        else:
            skipped.setdefault(reason, []).append(entry.name)
    images.sort(key=lambda path: natural_sort_key(path.name))
    for names in skipped.values():
        names.sort(key=natural_sort_key)
    return images, skipped


def format_skipped(skipped, max_names=3):
    """Describe skipped entries in one line, e.g. ``2 system files (Thumbs.db, .DS_Store)``."""
    parts = []
    for reason, names in sorted(skipped.items()):
        shown = ", ".join(names[:max_names])
        if len(names) > max_names:
            shown += f", and {len(names) - max_names} more"
        label = reason if len(names) == 1 else plural(reason)
        parts.append(f"{len(names)} {label} ({shown})")
    return "; ".join(parts)


def plural(reason):
    if reason == "not an image":
        return "files that are not images"
    if reason == "not a regular file":
        return "entries that are not regular files"
    return reason + "s"


def list_images(folder, verbose=True):
    """Return the image files of a folder in natural order.

    ``pokemon (2).png`` comes before ``pokemon (10).png``. Hidden files,
    system files (Thumbs.db, desktop.ini, .DS_Store), sub-folders such as
    ``.ipynb_checkpoints`` and files that are not images are skipped.

    Parameters
    ----------
    folder : str or Path
        Folder that contains the images. Sub-folders are not searched.
    verbose : bool
        When True and some entries were skipped, print one line that says
        how many were skipped, why, and their first names. It is printed
        rather than logged so that it shows in a notebook cell's output.

    Returns
    -------
    list of Path
        ``folder / name`` for every image file. A file counts as an image
        when its extension is that of an image format or its first bytes
        are, so an empty ``pokemon (6).png`` is listed, and ``load_image``
        then raises an error that names it.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    NotADirectoryError
        If ``folder`` is a file.
    """
    images, skipped = scan_folder(folder)
    if verbose and skipped:
        count = sum(len(names) for names in skipped.values())
        print(f"Skipped {count} entries in {folder}: {format_skipped(skipped)}")
    return images


# Decoding one image


def parse_background(background):
    """Return a background colour as an (R, G, B) tuple of ints in [0, 255].

    Accepts ``"white"``, ``"black"`` or a sequence of three ints in
    [0, 255]. Raises ValueError for anything else.
    """
    if isinstance(background, str):
        colour = BACKGROUND_COLOURS.get(background.casefold())
        if colour is None:
            raise ValueError(
                f"Unknown background colour {background!r}: use 'white', "
                "'black' or an (R, G, B) tuple of ints from 0 to 255."
            )
        return colour
    try:
        colour = tuple(int(channel) for channel in background)
    except (TypeError, ValueError):
        colour = ()
    if len(colour) != 3 or not all(0 <= channel <= 255 for channel in colour):
        raise ValueError(
            f"Invalid background colour {background!r}: use 'white', 'black' "
            "or an (R, G, B) tuple of three ints from 0 to 255."
        )
    return colour


def describe_content(data):
    """Guess why OpenCV cannot decode some bytes; return (reason, advice) for an error message."""
    head = bytes(data[:256]).lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return (
            "the file is an SVG drawing, which OpenCV cannot decode.",
            "Convert it to PNG first, for example with cairosvg or Inkscape.",
        )
    if head.startswith((b"<!doctype html", b"<html")):
        return (
            "the file contains a web page, not an image, so its download probably failed.",
            "Download the image again.",
        )
    return (
        "the file could not be decoded as an image: it is damaged, truncated "
        "or in a format OpenCV cannot read.",
        "Open it in an image viewer, and re-save or replace it.",
    )


def decode_image(data, path):
    """Decode image bytes with OpenCV, keeping bit depth and alpha.

    Parameters
    ----------
    data : (num_bytes,) uint8 ndarray
        Contents of an image file. OpenCV detects the format from them.
    path : Path
        The file's path, used in error messages.

    Returns
    -------
    ndarray
        (H, W) gray, (H, W, 3) BGR or (H, W, 4) BGRA, of dtype uint8,
        uint16 or float32 as stored in the file.

    Raises
    ------
    InvalidImageError
        If the file is empty or cannot be decoded.
    """
    if data.size == 0:
        raise InvalidImageError(
            path,
            "the file is empty (0 bytes).",
            "Delete it or replace it with a valid image, or pass "
            "skip_invalid=True to load_dataset to skip such files.",
        )
    try:
        image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        reason, advice = describe_content(data)
        raise InvalidImageError(
            path,
            reason,
            f"{advice} To skip such files, pass skip_invalid=True to load_dataset.",
        )
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        image = apply_gray_colour_key(image, data)
    return image


def read_gray_colour_key(data):
    """Return (gray value, bit depth) of a grayscale PNG's transparent colour, or None.

    A grayscale PNG (colour type 0) can mark one gray value as fully
    transparent with a tRNS chunk. Returns None for other images and for
    grayscale PNGs without that chunk.
    """
    data = bytes(data)
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 26:
        return None
    # IHDR is always the first chunk: bit depth at byte 24, colour type at 25.
    bit_depth, colour_type = data[24], data[25]
    if colour_type != 0:
        return None
    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        if chunk_type == b"tRNS" and length >= 2:
            key = int.from_bytes(data[position + 8 : position + 10], "big")
            return key, bit_depth
        if chunk_type in (b"IDAT", b"IEND"):
            return None
        position += 12 + length
    return None


def apply_gray_colour_key(gray, data):
    """Add the alpha channel that a grayscale PNG's tRNS chunk defines.

    OpenCV 4.13 ignores tRNS in grayscale PNGs and returns the gray image
    without alpha, which would show the transparent gray value instead of
    the background. Returns a (H, W, 4) BGRA image when the PNG has such a
    chunk, else ``gray`` unchanged.
    """
    colour_key = read_gray_colour_key(data)
    if colour_key is None:
        return gray
    key, bit_depth = colour_key
    if bit_depth < 8:
        # libpng expands 1-, 2- and 4-bit gray to 8 bits by scaling
        # (a 4-bit 15 becomes 255), so the key is scaled the same way.
        key *= 255 // (2**bit_depth - 1)
    opaque = np.iinfo(gray.dtype).max
    alpha = np.where(gray == key, 0, opaque).astype(gray.dtype)
    return np.dstack([gray, gray, gray, alpha])


def to_8bit(image):
    """Bring an image of any bit depth to uint8, keeping its channels.

    uint8 images are returned as they are. The colour channels of other
    types (16-bit PNG and TIFF, 32-bit float TIFF, EXR and HDR) are
    stretched from their own minimum and maximum to [0, 255], so an image
    that uses only part of its range, such as a 12-bit scan stored in 16
    bits, is not nearly black. Only visible pixels (alpha above 0) set that
    range. An alpha channel is scaled by its type's full range instead,
    because alpha 1.0 always means opaque.

    Parameters
    ----------
    image : ndarray
        (H, W), (H, W, 3) or (H, W, 4) image of any numeric dtype.

    Returns
    -------
    ndarray
        The same shape, dtype uint8.
    """
    if image.dtype == np.uint8:
        return image

    has_alpha = image.ndim == 3 and image.shape[2] == 4
    colour = image[:, :, :3] if has_alpha else image
    colour = colour.astype(np.float64)
    alpha_8bit = None
    if has_alpha:
        alpha = image[:, :, 3].astype(np.float64)
        if np.issubdtype(image.dtype, np.integer):
            alpha = alpha / np.iinfo(image.dtype).max
        alpha_8bit = np.rint(np.clip(alpha, 0.0, 1.0) * 255).astype(np.uint8)

    visible = colour if alpha_8bit is None else colour[alpha_8bit > 0]
    visible = visible[np.isfinite(visible)]
    if visible.size == 0:
        low, high = 0.0, 1.0
    else:
        low, high = float(visible.min()), float(visible.max())
    if high > low:
        colour = (colour - low) / (high - low)
    else:
        # A single-valued image has no range to stretch. It is kept as its
        # value relative to the type's range, or mid-gray when unbounded.
        colour = np.full_like(colour, single_value_level(low, image.dtype))
    colour = np.nan_to_num(np.clip(colour, 0.0, 1.0))
    colour_8bit = np.rint(colour * 255).astype(np.uint8)

    if alpha_8bit is None:
        return colour_8bit
    return np.dstack([colour_8bit, alpha_8bit])


def single_value_level(value, dtype):
    """Return a constant image's brightness in [0, 1] from its dtype's range."""
    if np.issubdtype(dtype, np.integer):
        return value / np.iinfo(dtype).max
    return 0.5 if not 0.0 <= value <= 1.0 else value


def to_rgb_over_background(image, background):
    """Turn an 8-bit gray, BGR or BGRA image into RGB over a background colour.

    Parameters
    ----------
    image : ndarray, uint8
        (H, W) gray, (H, W, 2) gray+alpha, (H, W, 3) BGR or (H, W, 4) BGRA,
        as OpenCV decodes it.
    background : (R, G, B) tuple of ints in [0, 255]
        Colour that transparent pixels show.

    Returns
    -------
    (H, W, 3) uint8 ndarray
        RGB image. A pixel with alpha a gets a * colour + (1 - a) * background.
    """
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    channels = image.shape[2]
    if channels == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if channels == 2:
        gray, alpha = image[:, :, 0], image[:, :, 1]
        image = np.dstack([gray, gray, gray, alpha])
    elif channels != 4:
        raise ValueError(f"Unsupported number of channels: {channels}.")

    rgb = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    alpha = image[:, :, 3]
    if alpha.min() == 255:
        return rgb
    # background + a * (colour - background), computed in place because
    # this step dominates the time to load a folder of sprites.
    weight = cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB).astype(np.float32)
    weight *= 1 / 255
    background_rgb = np.array(background, dtype=np.float32)
    blended = rgb.astype(np.float32)
    blended -= background_rgb
    blended *= weight
    blended += background_rgb
    np.rint(blended, out=blended)
    return blended.astype(np.uint8)


def pad_to_square(image, background):
    """Centre an (H, W, 3) image on a square canvas of the background colour.

    The canvas side is max(H, W). A square image is returned unchanged.
    Padding keeps the shape of the artwork when it is resized to a square;
    stretching, as ``cv2.resize`` alone does, would squash it.
    """
    height, width = image.shape[:2]
    if height == width:
        return image
    side = max(height, width)
    top = (side - height) // 2
    left = (side - width) // 2
    return cv2.copyMakeBorder(
        image,
        top,
        side - height - top,
        left,
        side - width - left,
        borderType=cv2.BORDER_CONSTANT,
        value=tuple(int(channel) for channel in background),
    )


def image_from_bytes(data, path, size=64, background="white"):
    """Decode, convert, pad and resize image bytes; see load_image."""
    background = parse_background(background)
    image = decode_image(data, path)
    image = to_8bit(image)
    image = to_rgb_over_background(image, background)
    image = pad_to_square(image, background)
    if image.shape[0] != size:
        image = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
    return image


def read_bytes(path):
    """Read a file into a uint8 array; unlike cv2.imread, this works with non-ASCII paths on Windows."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Image file not found: {path} (absolute path: {path.absolute()}). "
            "Check the path and the file name."
        )
    return np.fromfile(path, dtype=np.uint8)


def check_size(size):
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}.")
    return int(size)


def load_image(path, size=64, background="white"):
    """Load one image file as an RGB array of shape (size, size, 3).

    The file's bytes are read and then decoded, so that paths with
    non-ASCII letters work on every OS, and the format is detected from the
    content, not the extension. Grayscale, gray+alpha, palette (with or
    without a transparent index), 16-bit and RGBA images are all brought to
    8-bit RGB. 16-bit images are stretched from their own minimum and
    maximum to [0, 255]. Transparent pixels are composited over
    ``background``.

    A non-square image is centred on a square of the background colour
    before resizing, so its shape is kept. The original course script
    stretched it instead. Resizing uses ``cv2.INTER_AREA``, as the original
    script does.

    Parameters
    ----------
    path : str or Path
        Image file. PNG, JPEG, BMP, GIF (first frame), TIFF, WebP and the
        other formats OpenCV reads are accepted.
    size : int
        Side of the square output, in pixels.
    background : {"white", "black"} or (R, G, B) tuple of ints in [0, 255]
        Colour behind transparent pixels and of the padding.

    Returns
    -------
    (size, size, 3) uint8 ndarray
        RGB image.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    InvalidImageError
        If the file is empty or cannot be decoded. It is a ValueError.
    ValueError
        If ``size`` or ``background`` is invalid.
    """
    size = check_size(size)
    return image_from_bytes(read_bytes(path), Path(path), size, background)


# Loading a folder, with an on-disk cache


def default_cache_dir():
    return settings.OUTPUT_DIR / "cache"


def compute_cache_key(names, contents, size, background, skip_invalid):
    """Hash everything the loaded array depends on into a hex string."""
    digest = hashlib.sha256()
    header = (
        f"format={CACHE_FORMAT_VERSION};opencv={cv2.__version__};size={size};"
        f"background={background};skip_invalid={skip_invalid};count={len(names)}"
    )
    digest.update(header.encode())
    for name, data in zip(names, contents):
        digest.update(name.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def cache_path_for(folder, size, background, limit):
    """Return the cache file of one folder and parameter set.

    Each folder and parameter set has one file, which is overwritten when
    the images change, so stale caches do not pile up.
    """
    folder = Path(folder).resolve()
    identity = f"{folder}|{size}|{background}|{limit}"
    short_hash = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    readable_name = re.sub(r"[^A-Za-z0-9_-]+", "_", folder.name)[:40] or "folder"
    return default_cache_dir() / f"{readable_name}-{size}px-{short_hash}.npz"


def read_cache(cache_path, key):
    """Return the cached (images, names, skipped) when the key matches, else None."""
    try:
        with np.load(cache_path, allow_pickle=False) as cached:
            if str(cached["key"]) != key:
                return None
            images = cached["images"]
            names = [str(name) for name in cached["names"]]
            skipped = [
                (str(name), str(reason))
                for name, reason in zip(cached["skipped_names"], cached["skipped_reasons"])
            ]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        # A missing, damaged or older cache file is rebuilt.
        return None
    return images, names, skipped


def write_cache(cache_path, key, images, names, skipped):
    """Write the cache atomically, so an interrupted write never leaves a broken file."""
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    skipped_names = [name for name, _ in skipped]
    skipped_reasons = [reason for _, reason in skipped]
    with replace_on_success(cache_path) as temporary:
        np.savez(
            temporary,
            key=np.array(key),
            images=images,
            names=np.array(names, dtype=str),
            skipped_names=np.array(skipped_names, dtype=str),
            skipped_reasons=np.array(skipped_reasons, dtype=str),
        )


def decode_all(paths, contents, size, background, skip_invalid):
    """Decode every file; return (uint8 images (N, size, size, 3), kept names, skipped)."""
    images = []
    names = []
    skipped = []
    for path, data in zip(paths, contents):
        try:
            image = image_from_bytes(np.frombuffer(data, dtype=np.uint8), path, size, background)
        except InvalidImageError as error:
            if not skip_invalid:
                raise
            skipped.append((path.name, error.reason))
            continue
        images.append(image)
        names.append(path.name)
    if images:
        stacked = np.stack(images)
    else:
        stacked = np.zeros((0, size, size, 3), dtype=np.uint8)
    return stacked, names, skipped


def check_limit(limit):
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ValueError(f"limit must be None or a positive int, got {limit!r}.")
    return int(limit)


def load_dataset(
    folder=None,
    size=64,
    limit=None,
    background="white",
    skip_invalid=False,
    cache=True,
    verbose=True,
):
    """Load every image of a folder as one float32 array in [0, 1].

    Each file goes through ``load_image``. The result is cached on disk
    under ``settings.OUTPUT_DIR / "cache"`` as an .npz file (no pickles).
    The cache is used only when the files' names and contents and the
    parameters are the same as when it was written, so a changed, added or
    removed image rebuilds it.

    Parameters
    ----------
    folder : str or Path, optional
        Folder of images, read as ``list_images`` describes. None (the
        default) means the bundled 749 Pokémon images.
    size : int
        Side of each square image, in pixels.
    limit : int, optional
        Load only the first ``limit`` files in natural order.
    background : {"white", "black"} or (R, G, B) tuple of ints in [0, 255]
        Colour behind transparent pixels and of the padding of non-square
        images.
    skip_invalid : bool
        False (the default) raises an error at the first file that is empty
        or cannot be decoded. True skips such files and prints one line for
        each of them.
    cache : bool
        False neither reads nor writes the cache.
    verbose : bool
        When True, print one line saying how many images were loaded and
        whether they came from the cache, and the list_images summary of
        skipped entries.

    Returns
    -------
    images : (N, size, size, 3) float32 ndarray
        RGB images in [0, 1].
    paths : list of Path
        The file of each image, in the same order.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    NotADirectoryError
        If ``folder`` is a file.
    ValueError
        If the folder contains no image file, if every file was skipped, or
        if a parameter is invalid.
    InvalidImageError
        If a file is empty or cannot be decoded and ``skip_invalid`` is
        False. It is a ValueError whose ``path`` attribute is the file.
    """
    folder = Path(settings.BUNDLED_IMAGES_DIR if folder is None else folder)
    size = check_size(size)
    limit = check_limit(limit)
    background = parse_background(background)

    paths = list_images(folder, verbose=verbose)
    if not paths:
        raise ValueError(
            f"No image files found in {folder} (absolute path: {folder.absolute()}). "
            "Put PNG or JPEG images there, or pass folder=None to use the "
            "bundled Pokémon images."
        )
    paths = paths[:limit]

    # Every file is read once: its bytes feed both the cache key and, on a
    # cache miss, the decoder.
    # NOTE: all files are held in memory at once. That suits folders of small
    # sprites (9 MB for the bundled set) but not thousands of camera photos,
    # so shrink such images before loading them.
    contents = [read_bytes(path).tobytes() for path in paths]
    names = [path.name for path in paths]
    key = compute_cache_key(names, contents, size, background, skip_invalid)
    cache_path = cache_path_for(folder, size, background, limit)

    cached = read_cache(cache_path, key) if cache else None
    if cached is not None:
        images, kept_names, skipped = cached
        action = (
            f"Loaded {{count}} images of {size}x{size} pixels from "
            f"{display_path(folder)} (cached in {display_path(cache_path)})"
        )
    else:
        images, kept_names, skipped = decode_all(paths, contents, size, background, skip_invalid)
        action = f"Decoded {{count}} images of {size}x{size} pixels from {display_path(folder)}"
        if cache and len(images):
            write_cache(cache_path, key, images, kept_names, skipped)

    for name, reason in skipped:
        print(f"Skipped {name}: {reason}")
    if len(images) == 0:
        raise ValueError(
            f"None of the {len(paths)} image files in {folder} could be loaded. "
            "See the lines above for why."
        )
    if verbose:
        print(action.format(count=len(images)) + ".")
    return images.astype(np.float32) / 255, [folder / name for name in kept_names]


# Validation split


def split_indices(num_images, val_fraction=0.1, seed=0):
    """Split the indices 0 .. num_images - 1 into training and validation sets.

    The split depends only on the arguments, so every run and every
    notebook that uses the same seed gets the same validation images.

    Parameters
    ----------
    num_images : int
        Number of images, at least 2 when ``val_fraction`` is above 0.
    val_fraction : float
        Share of the images for validation, in [0, 1). The validation set
        gets round(num_images * val_fraction) images, but at least 1 when
        ``val_fraction`` is above 0 and at least 1 image is left for
        training.
    seed : int
        Seed of the random permutation.

    Returns
    -------
    train_idx, val_idx : 1-D int64 ndarrays
        Sorted indices; together they hold each index exactly once.

    Raises
    ------
    ValueError
        If ``val_fraction`` is outside [0, 1) or there are too few images.
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction!r}.")
    if num_images < 1 or (val_fraction > 0 and num_images < 2):
        raise ValueError(
            f"Cannot split {num_images} images into a training and a validation "
            "set: load more images, or use val_fraction=0."
        )
    num_val = int(round(num_images * val_fraction))
    if val_fraction > 0:
        num_val = min(max(num_val, 1), num_images - 1)
    permutation = np.random.default_rng(seed).permutation(num_images)
    val_idx = np.sort(permutation[:num_val]).astype(np.int64)
    train_idx = np.sort(permutation[num_val:]).astype(np.int64)
    return train_idx, val_idx


def train_val_split(images, val_fraction=0.1, seed=0):
    """Split an image array into training and validation images.

    Uses ``split_indices(len(images), val_fraction, seed)``, so the split
    is deterministic.

    Parameters
    ----------
    images : (N, H, W, C) ndarray
        Images, as load_dataset returns them.
    val_fraction : float
        Share of the images for validation, in [0, 1).
    seed : int
        Seed of the random permutation.

    Returns
    -------
    x_train, x_val : ndarrays
        The training images and the validation images, each in their
        original order.
    """
    train_idx, val_idx = split_indices(len(images), val_fraction, seed)
    return images[train_idx], images[val_idx]
