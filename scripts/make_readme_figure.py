"""Draw docs/reconstructions.png, the README's figure, from the pretrained model.

The figure shows the first eight validation images above their
reconstructions by data/pretrained/autoencoder.keras, with the PSNR of each.
Run it again after the pretrained model changes, from the repository root:

    .venv/bin/python scripts/make_readme_figure.py
"""

import os

os.environ["KMP_DUPLICATE_LIB_OK"] = "TRUE"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import warnings

import matplotlib

matplotlib.use("Agg")

from helpers import data, metrics, plots, settings, training

FIGURE_PATH = settings.PROJECT_ROOT / "docs" / "reconstructions.png"
NUM_IMAGES = 8


def main():
    model = training.load_model(settings.PRETRAINED_MODEL_PATH, compile=False)
    images, _ = data.load_dataset(verbose=False)
    _, x_val = data.train_val_split(images)
    originals = x_val[:NUM_IMAGES]
    reconstructions = model.predict(originals, verbose=0)
    psnr_values = metrics.psnr(originals, reconstructions)

    titles = ["validation image"] * NUM_IMAGES + [f"PSNR {value:.1f} dB" for value in psnr_values]
    # plt.show() warns that the Agg backend cannot show anything. The figure is
    # saved before that, so the warning is only noise here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*non-interactive.*")
        plots.show_images(
            list(originals) + list(reconstructions),
            titles=titles,
            ncols=NUM_IMAGES,
            image_size=1.9,
            title="Validation images (top) and their reconstructions by the pretrained autoencoder",
            path=FIGURE_PATH,
        )
    print(f"Wrote {FIGURE_PATH} (mean PSNR {psnr_values.mean():.1f} dB)")


if __name__ == "__main__":
    main()
