"""Tests of training, resuming, checkpoints and model files.

The tests train a 16x16 autoencoder on a few smooth synthetic images for
one to four epochs, so each training run takes seconds on a CPU.
"""

import contextlib
import io
import json
import math

import keras
import numpy as np
import pytest

from helpers import training
from helpers.metrics import bce_floor
from helpers.model import build_autoencoder
from helpers.training import (
    check_images,
    compile_autoencoder,
    load_model,
    make_dataset,
    read_history,
    save_model,
    train,
)

SIZE = 16
BATCH_SIZE = 4

# Keras 3.12 converts TensorFlow variables with np.array(), which NumPy 2
# reports as deprecated thousands of times per run.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def smooth_images(num_images, seed=0):
    """Return float32 images in [0, 1] made of colour gradients."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0.0, 1.0, SIZE, dtype=np.float32)
    rows, columns = np.meshgrid(ramp, ramp, indexing="ij")
    images = np.empty((num_images, SIZE, SIZE, 3), dtype=np.float32)
    for index in range(num_images):
        weights = rng.uniform(0.0, 1.0, size=(3, 3)).astype(np.float32)
        for channel in range(3):
            mix = weights[channel, 0] * rows + weights[channel, 1] * columns + weights[channel, 2]
            images[index, :, :, channel] = mix / (weights[channel].sum() + 1.0)
    return images


@pytest.fixture(scope="module")
def data():
    images = smooth_images(12)
    return images[:8], images[8:]


def small_model(seed=0):
    return build_autoencoder(input_shape=(SIZE, SIZE, 3), seed=seed)


def assert_same_weights(first, second, atol=0.0):
    for first_weight, second_weight in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_allclose(first_weight, second_weight, atol=atol, rtol=0)


# Checking the input data


def test_uint8_images_rejected(data):
    images = (data[0] * 255).astype(np.uint8)

    with pytest.raises(ValueError) as error:
        check_images(images, "x_train", (SIZE, SIZE, 3))

    message = str(error.value)
    assert "dtype uint8" in message
    assert f"minimum {images.min()}" in message
    assert f"maximum {images.max()}" in message
    assert "x_train.astype('float32') / 255" in message


def test_train_rejects_uint8(data, tmp_path):
    images = (data[0] * 255).astype(np.uint8)

    with pytest.raises(ValueError, match="dtype uint8"):
        train(small_model(), images, data[1], epochs=1, run_dir=tmp_path)
    assert not (tmp_path / training.CSV_LOG_NAME).exists()


def test_float_0_to_255_rejected(data):
    images = data[0] * 255

    with pytest.raises(ValueError) as error:
        check_images(images, "x_val")

    message = str(error.value)
    assert "dtype float32" in message
    assert f"minimum {images.min():g}" in message
    assert f"maximum {images.max():g}" in message
    assert "divide 0-255 values by 255" in message


def test_nan_images_rejected(data):
    images = data[0].copy()
    images[0, 0, 0, 0] = np.nan

    with pytest.raises(ValueError, match="NaN"):
        check_images(images)


def test_wrong_image_size_rejected(data):
    with pytest.raises(ValueError, match=r"shape \(16, 16, 3\), but the model expects \(64, 64, 3\)"):
        check_images(data[0], "x_train", (64, 64, 3))


def test_single_image_rejected(data):
    with pytest.raises(ValueError, match=r"has shape \(16, 16, 3\)"):
        check_images(data[0][0])


def test_empty_batch_rejected():
    with pytest.raises(ValueError, match="empty"):
        check_images(np.zeros((0, SIZE, SIZE, 3), dtype=np.float32))


def test_list_rejected(data):
    with pytest.raises(TypeError, match="NumPy array"):
        check_images(list(data[0]))


def test_valid_images_accepted(data):
    check_images(data[0], "x_train", (SIZE, SIZE, 3))
    check_images(data[0].astype(np.float64))


# The input pipeline


def test_dataset_epochs_are_permutations(data):
    images = data[0]
    num_batches = math.ceil(len(images) / 3)

    batches = list(make_dataset(images, batch_size=3, shuffle=True, seed=1, epochs=2))

    assert len(batches) == 2 * num_batches
    for inputs, targets in batches:
        np.testing.assert_array_equal(inputs, targets)
    epoch_orders = []
    for epoch in range(2):
        epoch_batches = batches[epoch * num_batches:(epoch + 1) * num_batches]
        epoch_images = np.concatenate([inputs.numpy() for inputs, _ in epoch_batches])
        # Each image is identified by its first pixel, which is unique here.
        order = [int(np.flatnonzero(images[:, 0, 0, 0] == image[0, 0, 0])[0]) for image in epoch_images]
        assert sorted(order) == list(range(len(images)))
        epoch_orders.append(order)
    assert epoch_orders[0] != epoch_orders[1]


def test_dataset_resumed_epoch_has_same_order(data):
    full = list(make_dataset(data[0], batch_size=4, shuffle=True, seed=3, epochs=3))
    resumed = list(make_dataset(data[0], batch_size=4, shuffle=True, seed=3, epochs=3, initial_epoch=2))

    assert len(resumed) == 2
    for (expected, _), (actual, _) in zip(full[4:], resumed):
        np.testing.assert_array_equal(actual, expected)


def test_dataset_without_shuffle_keeps_order(data):
    batches = list(make_dataset(data[0], batch_size=5))

    assert [len(inputs) for inputs, _ in batches] == [5, 3]
    np.testing.assert_array_equal(np.concatenate([inputs for inputs, _ in batches]), data[0])


# Training


@pytest.fixture(scope="module")
def finished_run(data, tmp_path_factory):
    """Train once in fast mode with the default epochs, for several tests.

    Returns the model, the history, the run directory and the printed
    output of a 3-epoch run.
    """
    run_dir = tmp_path_factory.mktemp("finished_run")
    model = small_model(seed=0)
    output = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(output):
        patch.setenv("POKEMON_AE_FAST", "1")
        history = train(model, *data, batch_size=BATCH_SIZE, run_dir=run_dir)
    return model, history, run_dir, output.getvalue()


def test_fast_mode_trains_3_epochs(finished_run):
    _, history, _, output = finished_run

    assert history["epoch"] == [0, 1, 2]
    lines = output.splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]


def test_few_epochs_lower_loss(data, finished_run):
    _, history, _, _ = finished_run

    assert history["loss"][-1] < history["loss"][0]
    assert history["loss"][-1] > bce_floor(data[0])


def test_run_dir_contents(finished_run):
    _, history, run_dir, _ = finished_run

    expected_columns = {
        "epoch", "loss", "psnr", "val_loss", "val_psnr", "epoch_seconds", "elapsed_seconds",
    }
    assert set(history) == expected_columns
    assert read_history(run_dir) == history
    assert (run_dir / training.BEST_MODEL_NAME).is_file()
    assert (run_dir / training.LAST_CHECKPOINT_NAME).is_file()
    assert any((run_dir / training.TENSORBOARD_DIR_NAME).rglob("events.out.tfevents.*"))
    state = json.loads((run_dir / training.STATE_NAME).read_text())
    assert state["finished_epochs"] == 3
    assert state["best_val_loss"] == min(history["val_loss"])
    assert history["elapsed_seconds"][-1] == pytest.approx(sum(history["epoch_seconds"]))
    assert not list(run_dir.glob(".*tmp*"))


def test_val_psnr_matches_predictions(data, finished_run):
    model, history, _, _ = finished_run

    reconstructions = model.predict(data[1], verbose=0)
    squared_error = (reconstructions - data[1]) ** 2
    expected = np.mean(-10 * np.log10(squared_error.mean(axis=(1, 2, 3))))
    assert history["val_psnr"][-1] == pytest.approx(expected, abs=1e-3)


def test_best_model_has_lowest_val_loss(data, finished_run):
    _, history, run_dir, _ = finished_run

    best = load_model(run_dir / training.BEST_MODEL_NAME)
    best.compile(loss="binary_crossentropy")
    val_loss = best.evaluate(data[1], data[1], batch_size=BATCH_SIZE, verbose=0)
    assert val_loss == pytest.approx(min(history["val_loss"]), rel=1e-4)


def test_mse_loss_option(data):
    model = small_model()

    compile_autoencoder(model, loss="mse")
    loss = model.evaluate(data[1], data[1], batch_size=BATCH_SIZE, verbose=0, return_dict=True)["loss"]

    reconstructions = model.predict(data[1], verbose=0)
    assert loss == pytest.approx(np.mean((reconstructions - data[1]) ** 2), rel=1e-4)


def test_unknown_loss_raises(data, tmp_path):
    with pytest.raises(ValueError, match="Unknown loss 'mae'"):
        train(small_model(), *data, epochs=1, loss="mae", run_dir=tmp_path)


def test_two_runs_agree(data, finished_run, tmp_path):
    first_model, first, _, _ = finished_run
    second_model = small_model(seed=0)

    second = train(second_model, *data, epochs=3, batch_size=BATCH_SIZE, run_dir=tmp_path)

    np.testing.assert_allclose(second["loss"], first["loss"], rtol=1e-5)
    np.testing.assert_allclose(second["val_loss"], first["val_loss"], rtol=1e-5)
    assert_same_weights(second_model, first_model, atol=1e-5)


def test_interrupted_run_resumes_at_next_epoch(data, finished_run, tmp_path, monkeypatch, capsys):
    interrupted_epoch = 1
    original_on_epoch_end = training.RunCheckpoint.on_epoch_end

    def crash_before_checkpoint(self, epoch, logs=None):
        # The CSV row of this epoch is written, its checkpoint is not: the
        # worst moment for an interruption.
        if epoch == interrupted_epoch:
            raise KeyboardInterrupt
        original_on_epoch_end(self, epoch, logs)

    monkeypatch.setattr(training.RunCheckpoint, "on_epoch_end", crash_before_checkpoint)
    with pytest.raises(KeyboardInterrupt):
        train(small_model(), *data, epochs=3, batch_size=BATCH_SIZE, run_dir=tmp_path)
    monkeypatch.setattr(training.RunCheckpoint, "on_epoch_end", original_on_epoch_end)
    assert len(read_history(tmp_path)["epoch"]) == 2
    capsys.readouterr()

    # A new model with other weights, as after a kernel restart.
    resumed_model = small_model(seed=1)
    history = train(resumed_model, *data, epochs=3, batch_size=BATCH_SIZE, run_dir=tmp_path)

    output = capsys.readouterr().out
    assert "continuing with epoch 2 of 3" in output
    assert "Epoch 1/3" not in output
    assert "Epoch 2/3" in output
    assert history["epoch"] == [0, 1, 2]
    steps_per_epoch = math.ceil(len(data[0]) / BATCH_SIZE)
    assert int(resumed_model.optimizer.iterations.numpy()) == 3 * steps_per_epoch

    # The resumed run ends where the uninterrupted one does.
    uninterrupted_model, uninterrupted, _, _ = finished_run
    np.testing.assert_allclose(history["loss"], uninterrupted["loss"], rtol=1e-5)
    assert_same_weights(resumed_model, uninterrupted_model, atol=1e-5)


def test_finished_run_is_not_trained_again(data, finished_run, capsys):
    trained_model, history, run_dir, _ = finished_run
    fresh_model = small_model(seed=1)

    again = train(fresh_model, *data, epochs=3, batch_size=BATCH_SIZE, run_dir=run_dir)

    assert "already contains a finished run of 3 epochs" in capsys.readouterr().out
    assert again == history
    assert_same_weights(fresh_model, trained_model)


def test_resume_with_other_settings_raises(data, finished_run):
    run_dir = finished_run[2]

    with pytest.raises(ValueError, match="batch_size 4 there but 2 now"):
        train(small_model(), *data, epochs=4, batch_size=2, run_dir=run_dir)


def test_nan_loss_stops_training(data, tmp_path):
    model = small_model()
    kernel = model.layers[1].kernel
    kernel.assign(np.full(kernel.shape, np.nan, dtype=np.float32))

    with pytest.raises(FloatingPointError, match="in epoch 1, batch 1"):
        train(model, *data, epochs=3, batch_size=BATCH_SIZE, run_dir=tmp_path)
    assert not (tmp_path / training.STATE_NAME).exists()
    assert not (tmp_path / training.BEST_MODEL_NAME).exists()


class StopAfterEpoch(keras.callbacks.Callback):
    """Record the logs of each epoch and stop training after ``last_epoch``."""

    def __init__(self, last_epoch):
        super().__init__()
        self.last_epoch = last_epoch
        self.logs = []

    def on_epoch_end(self, epoch, logs=None):
        self.logs.append(dict(logs))
        if epoch == self.last_epoch:
            self.model.stop_training = True


def test_extra_callback_stops_training(data, tmp_path):
    stopper = StopAfterEpoch(last_epoch=1)
    with contextlib.redirect_stdout(io.StringIO()):
        history = train(
            small_model(), *data, epochs=4, batch_size=BATCH_SIZE,
            run_dir=tmp_path, callbacks=[stopper],
        )

    assert history["epoch"] == [0, 1]
    assert len(stopper.logs) == 2
    # It runs after the built-in callbacks: it sees the timer's columns,
    # and the checkpoint of the epoch is already written.
    assert stopper.logs[1]["elapsed_seconds"] >= stopper.logs[1]["epoch_seconds"] > 0
    state = json.loads((tmp_path / training.STATE_NAME).read_text())
    assert state["finished_epochs"] == 2


# Saving and loading


def predictions_of(model, images):
    return model.predict(images, verbose=0)


@pytest.mark.parametrize("file_name", ["model.keras", "model.h5"])
def test_save_load_round_trip(data, finished_run, tmp_path, file_name):
    model = finished_run[0]
    path = tmp_path / file_name

    save_model(model, path)
    loaded = load_model(path)

    np.testing.assert_array_equal(predictions_of(loaded, data[1]), predictions_of(model, data[1]))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert not list(tmp_path.glob(".*tmp*"))


def test_load_h5_saved_like_original(data, tmp_path):
    # The original script compiles with these strings and calls save('model.h5').
    model = small_model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.save(tmp_path / "model.h5")

    loaded = load_model(tmp_path / "model.h5")

    np.testing.assert_array_equal(predictions_of(loaded, data[1]), predictions_of(model, data[1]))
    assert loaded.get_layer("encoder").output.shape[1:] == (2, 2, 16)


def test_save_without_optimizer_is_smaller(data, finished_run, tmp_path):
    model = finished_run[0]

    save_model(model, tmp_path / "full.keras")
    save_model(model, tmp_path / "slim.keras", include_optimizer=False)
    slim = load_model(tmp_path / "slim.keras")

    assert (tmp_path / "slim.keras").stat().st_size < (tmp_path / "full.keras").stat().st_size / 2
    assert not slim.compiled
    np.testing.assert_array_equal(predictions_of(slim, data[1]), predictions_of(model, data[1]))


def test_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.keras"
    save_model(small_model(seed=0), path)
    previous_bytes = path.read_bytes()

    other_model = small_model(seed=1)

    def save_partly_then_fail(filepath, *args, **kwargs):
        with open(filepath, "wb") as file:
            file.write(b"partial zip data")
        raise OSError("No space left on device")

    monkeypatch.setattr(other_model, "save", save_partly_then_fail)
    with pytest.raises(OSError, match="No space left"):
        save_model(other_model, path)

    assert path.read_bytes() == previous_bytes
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
    load_model(path)


@pytest.mark.parametrize("file_name", ["model", "model.pt", "model.weights"])
def test_unknown_extension_raises(tmp_path, file_name):
    with pytest.raises(ValueError, match=r"ending in \.keras .* or \.h5"):
        save_model(small_model(), tmp_path / file_name)
    with pytest.raises(ValueError, match="Add '.keras'"):
        load_model(tmp_path / file_name)


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file at .*missing.keras"):
        load_model(tmp_path / "missing.keras")


def test_load_model_damaged_file_names_it(tmp_path):
    damaged = tmp_path / "damaged.keras"
    damaged.write_bytes(b"not a zip archive")
    text_as_h5 = tmp_path / "notes.h5"
    text_as_h5.write_text("just text")

    with pytest.raises(ValueError, match="damaged.keras: it is damaged or not a Keras model"):
        load_model(damaged)
    with pytest.raises(ValueError, match="notes.h5: it is damaged or not a Keras model"):
        load_model(text_as_h5)


def test_train_rejects_zero_epochs_and_batch_size(tmp_path):
    model = build_autoencoder(input_shape=(16, 16, 3))
    images = np.full((4, 16, 16, 3), 0.5, dtype=np.float32)

    with pytest.raises(ValueError, match="epochs must be at least 1, got 0"):
        train(model, images, images, epochs=0, run_dir=tmp_path / "zero-epochs")
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        train(model, images, images, epochs=1, batch_size=0, run_dir=tmp_path / "zero-batch")
    assert not (tmp_path / "zero-epochs").exists()
