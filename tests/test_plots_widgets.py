"""Tests of the latent-space helpers, the widgets and the figure helpers.

The model tests use an untrained autoencoder with fixed initial weights: the
checks (a blend's ends equal the reconstructions, feature-map shapes, the
code equals the pooled last block) hold for any weights.
"""

import csv
import warnings

import cv2
import keras
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import latent, plots, settings, training, widgets  # noqa: E402
from helpers.model import build_autoencoder, decoder_from, encoder_from  # noqa: E402


@pytest.fixture(scope="module")
def autoencoder():
    model = build_autoencoder(seed=0)
    return model, encoder_from(model), decoder_from(model)


@pytest.fixture(scope="module")
def images():
    generator = np.random.default_rng(0)
    return generator.random((4, 64, 64, 3), dtype=np.float32)


@pytest.fixture
def shown_figures(monkeypatch):
    """Record every figure a helper shows, by replacing plt.show."""
    figures = []
    monkeypatch.setattr(plt, "show", lambda: figures.append(plt.gcf()))
    return figures


def figure_texts(figure):
    """Return every title, axis label and suptitle of a figure."""
    texts = [figure._suptitle.get_text()] if figure._suptitle else []
    for axis in figure.axes:
        texts += [axis.get_title(), axis.get_title("left"), axis.get_xlabel(), axis.get_ylabel()]
    return [text for text in texts if text]


def write_training_log(run_dir, epochs):
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / "training_log.csv").open("w", newline="") as log_file:
        writer = csv.writer(log_file)
        writer.writerow(["epoch", "loss", "val_loss"])
        for epoch in epochs:
            writer.writerow([epoch, 0.3, 0.3])


# --- nearest neighbours, PCA ------------------------------------------------


def test_nearest_neighbours_on_a_line():
    features = np.array([[0.0], [1.0], [3.0], [7.0], [7.5]])

    indices, distances = latent.nearest_neighbours(features, index=2, k=3)

    assert indices.tolist() == [1, 0, 3]
    np.testing.assert_allclose(distances, [2.0, 3.0, 4.0])


def test_nearest_neighbours_excludes_query_and_keeps_ties_in_order():
    features = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [5.0, 5.0]])

    indices, distances = latent.nearest_neighbours(features, index=0, k=4)

    assert 0 not in indices
    assert indices.tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(distances, [1.0, 1.0, 1.0, np.sqrt(50.0)])


def test_nearest_neighbours_flattens_images():
    images = np.zeros((3, 2, 2, 3))
    images[1] += 0.1
    images[2] += 1.0

    indices, distances = latent.nearest_neighbours(images, index=2, k=2)

    assert indices.tolist() == [1, 0]
    np.testing.assert_allclose(distances, [0.9 * np.sqrt(12), np.sqrt(12)])


def test_nearest_neighbours_rejects_bad_arguments():
    features = np.zeros((3, 2))

    with pytest.raises(IndexError, match="index 3"):
        latent.nearest_neighbours(features, index=3, k=1)
    with pytest.raises(ValueError, match="between 1 and 2"):
        latent.nearest_neighbours(features, index=0, k=3)
    with pytest.raises(ValueError, match="between 1 and 2"):
        latent.nearest_neighbours(features, index=0, k=0)


def test_latent_and_pixel_neighbours_use_their_own_space():
    # Pixels say image 0 is closest to image 1, the codes say image 2.
    images = np.array([0.0, 0.1, 0.5]).reshape(3, 1, 1, 1) * np.ones((3, 2, 2, 3))
    codes = np.array([0.0, 0.9, 0.2]).reshape(3, 1, 1, 1) * np.ones((3, 1, 1, 4))

    (latent_indices, _), (pixel_indices, _) = latent.latent_and_pixel_neighbours(images, codes, 0, k=1)

    assert latent_indices.tolist() == [2]
    assert pixel_indices.tolist() == [1]


def test_latent_pca_finds_main_direction():
    generator = np.random.default_rng(1)
    positions = np.linspace(-1.0, 1.0, 50)
    direction = generator.normal(size=(8, 8, 16))
    codes = positions[:, None, None, None] * direction + 1e-3 * generator.normal(size=(50, 8, 8, 16))

    points, pca = latent.latent_pca(codes)

    assert points.shape == (50, 2)
    assert pca.explained_variance_ratio_[0] > 0.99
    assert abs(np.corrcoef(points[:, 0], positions)[0, 1]) > 0.999


# --- running the model --------------------------------------------------------


def test_encoder_feature_maps_shapes(autoencoder, images):
    model, encoder, _ = autoencoder

    blocks = latent.encoder_feature_maps(model, images[0])

    assert [maps.shape for _, maps in blocks] == [(64, 64, 64), (32, 32, 32), (16, 16, 16)]
    # The latent code is the last block's activation, max-pooled 2x2.
    last = blocks[-1][1]
    pooled = last.reshape(8, 2, 8, 2, 16).max(axis=(1, 3))
    code = latent.encode_images(encoder, images[:1])[0]
    np.testing.assert_allclose(pooled, code, rtol=1e-5, atol=1e-5)


def test_encoder_feature_maps_needs_latent_layer():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3, padding="same")(inputs))

    with pytest.raises(ValueError, match="no layer named 'encoder'"):
        latent.encoder_feature_maps(model, np.zeros((8, 8, 3), np.float32))


# Keras 3.12's model.save converts each weight with np.array(), and NumPy 2.2
# warns that TensorFlow's tensors lack the copy keyword of __array__.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_helpers_accept_model_loaded_from_file(autoencoder, images, tmp_path):
    model = autoencoder[0]
    model.save(tmp_path / "autoencoder.keras")
    loaded = keras.models.load_model(tmp_path / "autoencoder.keras", compile=False)
    encoder, decoder = encoder_from(loaded), decoder_from(loaded)

    # A loaded model expects its input in a list; a bare array makes Keras warn.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        codes = latent.encode_images(encoder, images)
        reconstructions = latent.decode_codes(decoder, codes)
        blocks = latent.encoder_feature_maps(loaded, images[0])

    np.testing.assert_allclose(reconstructions, model.predict(images, verbose=0), atol=1e-5)
    assert blocks[-1][1].shape == (16, 16, 16)


def test_interpolation_ends_equal_reconstructions(autoencoder, images):
    model, encoder, decoder = autoencoder
    reconstructions = model.predict(images[:2], verbose=0)

    start = latent.interpolate_codes(encoder, decoder, images[0], images[1], 0.0)
    end = latent.interpolate_codes(encoder, decoder, images[0], images[1], 1.0)
    middle = latent.interpolate_codes(encoder, decoder, images[0], images[1], 0.5)

    np.testing.assert_allclose(start, reconstructions[0], atol=1e-5)
    np.testing.assert_allclose(end, reconstructions[1], atol=1e-5)
    assert middle.shape == (64, 64, 3)
    assert np.abs(middle - start).max() > 1e-3
    assert np.abs(middle - end).max() > 1e-3


def test_interpolation_steps_span_both_reconstructions(autoencoder, images):
    model, encoder, decoder = autoencoder
    reconstructions = model.predict(images[:2], verbose=0)

    steps, mixes = latent.interpolation_steps(encoder, decoder, images[0], images[1], num_steps=5)

    assert steps.shape == (5, 64, 64, 3)
    np.testing.assert_allclose(mixes, [0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(steps[0], reconstructions[0], atol=1e-5)
    np.testing.assert_allclose(steps[-1], reconstructions[1], atol=1e-5)
    middle = latent.interpolate_codes(encoder, decoder, images[0], images[1], 0.5)
    np.testing.assert_allclose(steps[2], middle, atol=1e-5)


def test_interpolation_rejects_bad_mix_and_steps(autoencoder, images):
    _, encoder, decoder = autoencoder

    with pytest.raises(ValueError, match="mix must be between 0 and 1, got 1.5"):
        latent.interpolate_codes(encoder, decoder, images[0], images[1], 1.5)
    with pytest.raises(ValueError, match="at least 2"):
        latent.interpolation_steps(encoder, decoder, images[0], images[1], num_steps=1)


# --- choosing the model ---------------------------------------------------------


def test_choose_model_prefers_finished_run(tmp_path):
    run_dir = tmp_path / "runs" / "autoencoder"
    write_training_log(run_dir, range(200))
    (run_dir / "best.keras").write_bytes(b"model")
    pretrained = tmp_path / "pretrained.keras"
    pretrained.write_bytes(b"model")

    path, reason = training.choose_trained_model(run_dir, pretrained)

    assert path == run_dir / "best.keras"
    assert "your own model" in reason
    assert "200 epochs" in reason


def test_choose_model_skips_unfinished_run(tmp_path):
    run_dir = tmp_path / "runs" / "autoencoder"
    # A resumed run logs its interrupted epoch twice; it still counts once.
    write_training_log(run_dir, [0, 1, 2, 2, 3, 4])
    (run_dir / "best.keras").write_bytes(b"model")
    pretrained = tmp_path / "pretrained.keras"
    pretrained.write_bytes(b"model")

    path, reason = training.choose_trained_model(run_dir, pretrained)

    assert path == pretrained
    assert "5 of 200 epochs" in reason


def test_choose_model_without_run_uses_pretrained(tmp_path):
    pretrained = tmp_path / "pretrained.keras"
    pretrained.write_bytes(b"model")

    path, reason = training.choose_trained_model(tmp_path / "missing", pretrained)

    assert path == pretrained
    assert "no finished training run" in reason


def test_choose_model_ignores_fast_run(tmp_path, monkeypatch):
    monkeypatch.setenv("POKEMON_AE_FAST", "1")
    monkeypatch.setattr(settings, "OUTPUT_DIR", tmp_path)
    fast_run = settings.default_run_dir()
    write_training_log(fast_run, range(200))
    (fast_run / "best.keras").write_bytes(b"model")
    pretrained = tmp_path / "pretrained.keras"
    pretrained.write_bytes(b"model")

    path, _ = training.choose_trained_model(pretrained_path=pretrained)

    assert fast_run.name == "autoencoder-fast"
    assert path == pretrained


def test_choose_model_without_any_model_raises(tmp_path):
    missing = tmp_path / "pretrained.keras"

    with pytest.raises(FileNotFoundError, match="pretrained.keras is missing"):
        training.choose_trained_model(tmp_path / "runs", missing)


# --- widgets ----------------------------------------------------------------------


def test_image_to_png_round_trip():
    image = np.zeros((2, 3, 3), np.float32)
    image[0, 0] = [1.0, 0.0, 0.0]
    image[1, 2] = [0.0, 0.5, 1.0]

    png = widgets.image_to_png(image, scale=2)
    decoded = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert decoded.shape == (4, 6, 3)
    assert decoded[0:2, 0:2].reshape(-1, 3).tolist() == [[255, 0, 0]] * 4
    assert decoded[3, 5].tolist() == [0, 128, 255]


def test_interpolation_widget_follows_slider_and_dropdowns(autoencoder, images):
    model, encoder, decoder = autoencoder
    reconstructions = model.predict(images, verbose=0)
    widget = widgets.interpolation_widget(encoder, decoder, images, ["a", "b", "c", "d"], mix=0.5)
    blend_at_start = widget.blend_image.value

    widget.slider.value = 0.0
    assert widget.blend_image.value != blend_at_start
    np.testing.assert_array_equal(
        decode_png(widget.blend_image.value), decode_png(widgets.image_to_png(reconstructions[0]))
    )

    widget.dropdown_a.value = 2
    np.testing.assert_array_equal(
        decode_png(widget.blend_image.value), decode_png(widgets.image_to_png(reconstructions[2]))
    )

    widget.slider.value = 1.0
    np.testing.assert_array_equal(
        decode_png(widget.blend_image.value), decode_png(widgets.image_to_png(reconstructions[1]))
    )
    assert "interpolation-widget" in widget._dom_classes


def decode_png(png):
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR).astype(int)


def test_interpolation_widget_rejects_mismatched_names(autoencoder, images):
    _, encoder, decoder = autoencoder

    with pytest.raises(ValueError, match="3 names for 4 images"):
        widgets.interpolation_widget(encoder, decoder, images, ["a", "b", "c"])


def test_neighbours_widget_redraws_for_dropdown(monkeypatch, images):
    calls = []
    def record_call(images, index, latent, pixel, names):
        calls.append((index, latent, pixel))
        return plt.figure()

    monkeypatch.setattr(plots, "draw_neighbour_comparison", record_call)
    codes = np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1)

    widget = widgets.neighbours_widget(images, codes, ["a", "b", "c", "d"], index=0, k=2)
    widget.dropdown.value = 3

    assert [index for index, _, _ in calls] == [0, 3]
    latent_indices, latent_distances = calls[1][1]
    assert latent_indices.tolist() == [2, 1]
    np.testing.assert_allclose(latent_distances, [1.0, 2.0])
    pixel_indices, _ = calls[1][2]
    assert pixel_indices.tolist() == latent.nearest_neighbours(images, 3, 2)[0].tolist()
    assert bytes(widget.picture.value).startswith(b"\x89PNG")
    assert plt.get_fignums() == []


# --- figure helpers -----------------------------------------------------------------


def test_best_and_worst_indices():
    scores = [20.0, 25.0, 18.0, 30.0, 18.0]

    best, worst = plots.best_and_worst_indices(scores, k=2)

    assert best.tolist() == [3, 1]
    assert worst.tolist() == [2, 4]
    with pytest.raises(ValueError, match="between 1 and 5"):
        plots.best_and_worst_indices(scores, k=6)


def test_strongest_channels():
    maps = np.zeros((2, 2, 4))
    maps[..., 1] = 3.0
    maps[..., 3] = 1.0

    assert plots.strongest_channels(maps, 3).tolist() == [1, 3, 0]
    assert plots.strongest_channels(maps, 10).tolist() == [1, 3, 0, 2]


def test_spread_out_indices_starts_central_then_extremes():
    points = np.stack([np.arange(11.0), np.zeros(11)], axis=1)

    picked = plots.spread_out_indices(points, 3)

    assert picked.tolist() == [5, 0, 10]
    assert len(set(plots.spread_out_indices(points, 20).tolist())) == 11


def test_show_reconstructions_labels_psnr(shown_figures, images):
    plots.show_reconstructions(images[:3], images[:3], [21.04, 30.0, 15.55], names=["a", "b", "c"])

    assert len(shown_figures) == 1
    texts = figure_texts(shown_figures[0])
    assert "PSNR 21.0 dB" in texts
    assert "PSNR 15.6 dB" in texts
    assert "a" in texts
    assert plt.get_fignums() == []


def test_show_reconstructions_rejects_mismatched_lengths(images):
    with pytest.raises(ValueError, match="3 originals, 2 reconstructions and 3 PSNR"):
        plots.show_reconstructions(images[:3], images[:2], [1.0, 2.0, 3.0])


def test_show_best_and_worst_orders_rows(shown_figures, images):
    plots.show_best_and_worst(images, images, [20.0, 25.0, 18.0, 30.0], names=list("abcd"), k=2)

    axes = shown_figures[0].axes
    top_titles = [axis.get_title() for axis in axes[:2]]
    worst_titles = [axis.get_title() for axis in axes[4:6]]
    assert top_titles == ["d", "b"]
    assert worst_titles == ["c", "a"]
    assert plt.get_fignums() == []


def test_other_figures_show_and_close(shown_figures, autoencoder, images):
    model, encoder, decoder = autoencoder
    codes = latent.encode_images(encoder, images)
    steps, mixes = latent.interpolation_steps(encoder, decoder, images[0], images[1], num_steps=4)
    points, pca = latent.latent_pca(codes)
    latent_neighbours, pixel_neighbours = latent.latent_and_pixel_neighbours(images, codes, 0, k=2)

    plots.show_feature_maps(latent.encoder_feature_maps(model, images[0]), image=images[0], num_channels=4)
    plots.show_latent_code(codes[0])
    plots.show_latent_map(points, images, pca.explained_variance_ratio_, num_thumbnails=2)
    plots.show_interpolation_strip(steps, mixes, "a", "b")
    plots.show_neighbour_comparison(images, 0, latent_neighbours, pixel_neighbours, names=list("abcd"))

    assert len(shown_figures) == 5
    assert "latent code: 8x8x16 = 1024 numbers" in figure_texts(shown_figures[1])
    assert "mix 0.33" in figure_texts(shown_figures[3])
    assert "pixel space" in figure_texts(shown_figures[4])
    assert plt.get_fignums() == []
