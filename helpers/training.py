"""Training of the autoencoder, with logs, checkpoints and resuming.

``train()`` runs the original recipe (Adam, binary cross-entropy, batches of
32, a new shuffle every epoch) and keeps everything a long run needs in one
folder, the run directory:

- ``training_log.csv``: one row per epoch with the loss, the PSNR, the
  validation loss and PSNR, and the seconds the epoch took and the seconds
  since the run began;
- ``tensorboard/``: the same values for TensorBoard
  (``tensorboard --logdir <run_dir>/tensorboard``);
- ``best.keras``: the model with the lowest validation loss so far;
- ``last.keras`` and ``checkpoint.json``: the model and optimizer state
  after the last finished epoch, from which a new call of ``train()`` with
  the same run directory resumes.

Fast mode: set the environment variable ``POKEMON_AE_FAST=1`` and
``train()`` runs ``settings.num_epochs()`` = 3 epochs instead of 200 (and
the notebooks load only ``settings.image_limit()`` = 96 images), so that the
tests and the notebooks' test runs finish in minutes. Fast runs write to their own
run directory. The full run is the default.

``save_model()`` and ``load_model()`` write and read whole models safely:
a failed save never destroys the file it was going to replace.
"""

import csv
import json
import math
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from helpers import settings
from helpers.settings import display_path, replace_on_success

CSV_LOG_NAME = "training_log.csv"
TENSORBOARD_DIR_NAME = "tensorboard"
BEST_MODEL_NAME = "best.keras"
LAST_CHECKPOINT_NAME = "last.keras"
STATE_NAME = "checkpoint.json"

# Keras 3 saves whole models only to these extensions.
MODEL_EXTENSIONS = (".keras", ".h5", ".hdf5")


def train(
    model,
    x_train,
    x_val,
    epochs=None,
    batch_size=32,
    run_dir=None,
    loss="binary_crossentropy",
    learning_rate=1e-3,
    seed=0,
    jit_compile=False,
    callbacks=None,
):
    """Train an autoencoder to reconstruct its input, resuming if possible.

    Each epoch prints one line of progress and ends with a row in the CSV
    log and a checkpoint. If ``run_dir`` already contains checkpoints of an
    interrupted run, training resumes after the last finished epoch. If the
    run there has already finished ``epochs`` epochs, the last weights are loaded
    into ``model`` and nothing is trained.

    Parameters
    ----------
    model : keras.Model
        The autoencoder, e.g. from ``build_autoencoder()``. It is compiled
        here, and contains the weights of the last epoch afterwards.
    x_train, x_val : ndarray, (N, H, W, C), float in [0, 1]
        Training and validation images, of the model's input shape. The
        images are both the inputs and the targets.
    epochs : int, optional
        Total number of epochs, counting those of a resumed run. Defaults to
        ``settings.num_epochs()``: 200, or 3 when ``POKEMON_AE_FAST=1``.
    batch_size : int, optional
        Images per gradient step.
    run_dir : str or Path, optional
        Folder for logs and checkpoints. Defaults to
        ``settings.default_run_dir()``.
    loss : {"binary_crossentropy", "mse"}, optional
        Reconstruction loss. The original uses binary cross-entropy.
    learning_rate : float, optional
        Adam's learning rate. 1e-3 is the Keras default the original uses.
    seed : int, optional
        Seed for ``keras.utils.set_random_seed`` and for the order of the
        training images in each epoch. Build the model with the same seed
        (``build_autoencoder(seed=0)``) for repeatable starting weights.
    jit_compile : bool, optional
        Whether to compile the training step with XLA.
    callbacks : list of keras.callbacks.Callback, optional
        Extra callbacks, run after the built-in ones, so they see the
        ``epoch_seconds`` and ``elapsed_seconds`` of each epoch and run
        after its checkpoint is saved. For example
        ``keras.callbacks.EarlyStopping``.

    Returns
    -------
    history : dict of str to list
        The columns of ``training_log.csv``, resumed epochs included:
        ``epoch`` (0-based ints), ``loss``, ``psnr``, ``val_loss``,
        ``val_psnr`` (dB), ``epoch_seconds`` and ``elapsed_seconds``.

    Raises
    ------
    ValueError
        If ``epochs`` or ``batch_size`` is below 1, the images are not
        floating point in [0, 1] or do not match the model's input shape,
        or ``run_dir`` contains a run with other settings.
    FloatingPointError
        If the loss becomes NaN or infinite. The message names the epoch.
    """
    epochs = settings.num_epochs() if epochs is None else int(epochs)
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}; the original uses 32.")
    run_dir = Path(run_dir) if run_dir is not None else settings.default_run_dir()
    input_shape = tuple(model.input_shape[1:])
    check_images(x_train, "x_train", input_shape)
    check_images(x_val, "x_val", input_shape)

    keras.utils.set_random_seed(seed)
    compile_autoencoder(model, loss, learning_rate, jit_compile)
    run_config = {
        "loss": loss,
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "seed": seed,
        "num_train_images": len(x_train),
        "num_val_images": len(x_val),
        "input_shape": list(input_shape),
        "num_params": model.count_params(),
    }

    run_dir.mkdir(parents=True, exist_ok=True)
    state = read_checkpoint_state(run_dir)
    if state is not None:
        _check_same_config(run_dir, state["config"], run_config)
        restore_checkpoint(model, run_dir)
        first_epoch = state["finished_epochs"]
    else:
        state = {"best_val_loss": math.inf, "elapsed_seconds": 0.0}
        first_epoch = 0
    # Rows for epochs after the last checkpoint come from an interrupted
    # epoch that will be run again.
    _trim_csv_log(run_dir / CSV_LOG_NAME, first_epoch)

    if first_epoch >= epochs:
        print(
            f"{display_path(run_dir)} already contains a finished run of {first_epoch} epochs. "
            f"Loaded its last weights into the model; use a new run_dir to "
            f"train again."
        )
        return read_history(run_dir)
    if first_epoch > 0:
        print(
            f"Resuming the run in {display_path(run_dir)}: epochs 1-{first_epoch} are done, "
            f"continuing with epoch {first_epoch + 1} of {epochs}."
        )

    train_data = make_dataset(
        x_train, batch_size, shuffle=True, seed=seed,
        epochs=epochs, initial_epoch=first_epoch,
    )
    val_data = make_dataset(x_val, batch_size)
    nan_guard = NaNGuard()
    callbacks = [
        # The order matters: the timer adds its columns to the logs before
        # the later callbacks read them.
        EpochTimer(state["elapsed_seconds"]),
        nan_guard,
        ProgressLine(epochs),
        keras.callbacks.CSVLogger(run_dir / CSV_LOG_NAME, append=True),
        keras.callbacks.TensorBoard(log_dir=run_dir / TENSORBOARD_DIR_NAME),
        RunCheckpoint(run_dir, run_config, state["best_val_loss"]),
        *(callbacks or []),
    ]
    model.fit(
        train_data,
        validation_data=val_data,
        epochs=epochs,
        initial_epoch=first_epoch,
        steps_per_epoch=math.ceil(len(x_train) / batch_size),
        callbacks=callbacks,
        verbose=0,
    )
    if nan_guard.nan_epoch is not None:
        raise FloatingPointError(
            f"The loss became {nan_guard.nan_loss} in epoch "
            f"{nan_guard.nan_epoch + 1}, batch {nan_guard.nan_batch + 1}, so "
            f"training stopped. The checkpoint in {display_path(run_dir)} contains the last "
            f"finite epoch. Try a lower learning_rate and a new run_dir."
        )
    return read_history(run_dir)


def check_images(images, name="images", input_shape=None):
    """Check that ``images`` is a float batch in [0, 1] that a model accepts.

    Parameters
    ----------
    images : ndarray, (N, H, W, C)
        The batch to check.
    name : str, optional
        Name of the array in error messages.
    input_shape : tuple of 3 ints, optional
        The model's ``(H, W, C)``. If given, the images must have it.

    Raises
    ------
    TypeError
        If ``images`` is not a NumPy array.
    ValueError
        If the shape is wrong, the batch is empty, or the dtype is not
        floating point, or a value is NaN or outside [0, 1]. The message
        shows the dtype, minimum and maximum and how to convert the data.
    """
    if not isinstance(images, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array, but is a {type(images).__name__}. "
            f"Convert it with np.asarray({name})."
        )
    if images.ndim != 4:
        raise ValueError(
            f"{name} must be a batch of images of shape (N, height, width, "
            f"channels), but has shape {images.shape}. For a single image "
            f"use {name}[np.newaxis]."
        )
    if input_shape is not None and tuple(images.shape[1:]) != tuple(input_shape):
        raise ValueError(
            f"{name} has images of shape {images.shape[1:]}, but the model "
            f"expects {tuple(input_shape)}. Load the images at the model's "
            f"size, or build the model with input_shape={images.shape[1:]}."
        )
    if len(images) == 0:
        raise ValueError(f"{name} is empty. It needs at least one image.")

    minimum, maximum = images.min(), images.max()
    is_float = np.issubdtype(images.dtype, np.floating)
    if is_float and np.isfinite(minimum) and np.isfinite(maximum):
        if 0 <= minimum and maximum <= 1:
            return
    if not is_float:
        advice = f"Convert 8-bit images with {name}.astype('float32') / 255."
    elif not (np.isfinite(minimum) and np.isfinite(maximum)):
        advice = "Remove or repair the images with NaN or infinite values."
    else:
        advice = "Scale the values into [0, 1], e.g. divide 0-255 values by 255."
    raise ValueError(
        f"{name} must be floating point images in [0, 1], but has dtype "
        f"{images.dtype}, minimum {minimum:g} and maximum {maximum:g}. {advice}"
    )


def make_dataset(images, batch_size=32, shuffle=False, seed=0, epochs=1, initial_epoch=0):
    """Build the tf.data pipeline of (input, target) batches for ``fit()``.

    For an autoencoder the target is the input. The pipeline yields the
    batches of the epochs ``initial_epoch`` to ``epochs - 1`` one after
    another. With ``shuffle=True`` each epoch has its own order, computed
    from ``(seed, epoch)`` alone, so a resumed run gets the same orders as
    a run that was never interrupted.

    Parameters
    ----------
    images : ndarray, (N, H, W, C), float
        The images, converted to float32.
    batch_size : int, optional
        Images per batch. The last batch of an epoch may be smaller.
    shuffle : bool, optional
        Whether to shuffle the images anew in each epoch.
    seed : int, optional
        Seed of the shuffles.
    epochs, initial_epoch : int, optional
        The pipeline covers the epochs ``initial_epoch <= epoch < epochs``.

    Returns
    -------
    dataset : tf.data.Dataset
        ``(epochs - initial_epoch) * ceil(N / batch_size)`` pairs of
        identical float32 tensors of shape ``(batch, H, W, C)``.
    """
    images = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    num_images = int(images.shape[0])
    batches_per_epoch = math.ceil(num_images / batch_size)

    def index_batches(epoch):
        order = tf.range(num_images, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(
                order, seed=tf.stack([tf.constant(seed, tf.int64), epoch])
            )
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    def input_and_target(indices):
        batch = tf.gather(images, indices)
        return batch, batch

    dataset = tf.data.Dataset.range(initial_epoch, epochs).flat_map(index_batches)
    # flat_map hides the length; stating it lets Keras count the batches.
    total_batches = (epochs - initial_epoch) * batches_per_epoch
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(total_batches))
    dataset = dataset.map(input_and_target, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def compile_autoencoder(model, loss="binary_crossentropy", learning_rate=1e-3, jit_compile=False):
    """Compile ``model`` with Adam, the loss and a PSNR metric.

    Parameters
    ----------
    model : keras.Model
        The autoencoder. Its optimizer state is reset.
    loss : {"binary_crossentropy", "mse"}, optional
        Reconstruction loss.
    learning_rate : float, optional
        Adam's learning rate.
    jit_compile : bool, optional
        Whether to compile the training step with XLA.

    Raises
    ------
    ValueError
        If ``loss`` is not one of the two names.
    """
    if loss not in ("binary_crossentropy", "mse"):
        raise ValueError(
            f"Unknown loss {loss!r}. Use 'binary_crossentropy' (the original) "
            f"or 'mse'."
        )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=loss,
        metrics=[keras.metrics.MeanMetricWrapper(batch_psnr, name="psnr")],
        jit_compile=jit_compile,
    )


@keras.saving.register_keras_serializable(package="helpers")
def batch_psnr(y_true, y_pred):
    """Compute the PSNR in dB of each image of a batch of values in [0, 1].

    This is ``helpers.metrics.psnr`` written with Keras operations, so that
    it runs inside ``fit()``. Keras averages it over all images of an epoch.
    During training, BatchNormalization uses batch statistics, so the
    training PSNR is a little off from what ``predict()`` gives. The
    validation PSNR is exact.
    """
    squared_error = ops.square(ops.cast(y_true, "float32") - ops.cast(y_pred, "float32"))
    mse = ops.mean(squared_error, axis=(1, 2, 3))
    return -10.0 * ops.log10(mse)


class EpochTimer(keras.callbacks.Callback):
    """Add ``epoch_seconds`` and ``elapsed_seconds`` to each epoch's logs.

    ``elapsed_seconds`` counts wall-clock seconds spent in finished epochs,
    those of earlier sessions of a resumed run included, so the CSV log
    shows how long it took to reach each validation loss or PSNR.
    """

    def __init__(self, elapsed_before=0.0):
        super().__init__()
        self.elapsed = elapsed_before

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.epoch_start
        self.elapsed += seconds
        logs["epoch_seconds"] = seconds
        logs["elapsed_seconds"] = self.elapsed


class NaNGuard(keras.callbacks.Callback):
    """Stop training at the first batch whose loss is NaN or infinite.

    ``train()`` raises afterwards with the epoch and batch recorded here.
    """

    def __init__(self):
        super().__init__()
        self.nan_epoch = None
        self.nan_batch = None
        self.nan_loss = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = float(logs["loss"])
        if not math.isfinite(loss) and self.nan_epoch is None:
            self.nan_epoch, self.nan_batch, self.nan_loss = self.epoch, batch, loss
            self.model.stop_training = True


class ProgressLine(keras.callbacks.Callback):
    """Print one line per epoch: losses, validation PSNR and seconds."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        print(
            f"Epoch {epoch + 1}/{self.epochs} - loss {logs['loss']:.4f}"
            f" - val_loss {logs['val_loss']:.4f}"
            f" - val_psnr {logs['val_psnr']:.2f} dB"
            f" - {logs['epoch_seconds']:.1f} s",
            flush=True,
        )


class RunCheckpoint(keras.callbacks.Callback):
    """Save the best and the last model after each epoch, atomically.

    The best model (lowest validation loss, without optimizer state) goes to
    ``best.keras``. The last model with its optimizer state goes to
    ``last.keras``, and then ``checkpoint.json`` records the finished epoch.
    The lowest validation loss so far is kept in ``checkpoint.json`` too,
    because Keras' ModelCheckpoint would forget it when a run resumes and
    overwrite ``best.keras`` with a worse model. Epochs with a NaN or
    infinite loss are not saved.
    """

    def __init__(self, run_dir, run_config, best_val_loss=math.inf):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.run_config = run_config
        self.best_val_loss = best_val_loss

    def on_epoch_end(self, epoch, logs=None):
        if not (math.isfinite(logs["loss"]) and math.isfinite(logs["val_loss"])):
            return
        if logs["val_loss"] < self.best_val_loss:
            self.best_val_loss = float(logs["val_loss"])
            save_model(self.model, self.run_dir / BEST_MODEL_NAME, include_optimizer=False)
        save_model(self.model, self.run_dir / LAST_CHECKPOINT_NAME)
        state = {
            "finished_epochs": epoch + 1,
            "best_val_loss": self.best_val_loss,
            "elapsed_seconds": float(logs["elapsed_seconds"]),
            "config": self.run_config,
        }
        _write_text_atomically(self.run_dir / STATE_NAME, json.dumps(state, indent=2))


def read_checkpoint_state(run_dir):
    """Return the contents of ``run_dir/checkpoint.json``, or None if absent."""
    path = Path(run_dir) / STATE_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def restore_checkpoint(model, run_dir):
    """Load the weights and optimizer state of ``run_dir/last.keras``.

    ``model`` must be compiled with the same architecture and optimizer.

    Raises
    ------
    ValueError
        If the checkpoint belongs to a different architecture.
    """
    path = Path(run_dir) / LAST_CHECKPOINT_NAME
    # Adam creates its moment variables lazily. They must exist before
    # load_weights() can fill them, or their saved values are skipped.
    model.optimizer.build(model.trainable_variables)
    try:
        model.load_weights(path)
    except ValueError as error:
        raise ValueError(
            f"The checkpoint {path} does not fit this model: {error} "
            f"Use a new run_dir for a different model."
        ) from error


def read_history(run_dir):
    """Read ``run_dir/training_log.csv`` into a dict of column lists.

    Returns
    -------
    history : dict of str to list
        ``epoch`` as 0-based ints, every other column as floats. Empty if
        the log does not exist.
    """
    path = Path(run_dir) / CSV_LOG_NAME
    if not path.is_file():
        return {}
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        return {}
    history = {column: [] for column in rows[0]}
    for row in rows:
        for column, value in row.items():
            history[column].append(int(value) if column == "epoch" else float(value))
    return history


def count_logged_epochs(run_dir):
    """Count the distinct epochs in a run's training log.

    Parameters
    ----------
    run_dir : str or Path
        A training run folder, as written by ``helpers.training.train``.

    Returns
    -------
    int
        The number of distinct epochs in ``training_log.csv``, 0 when there
        is no log.
    """
    return len(set(read_history(run_dir).get("epoch", [])))


def choose_trained_model(run_dir=None, pretrained_path=None, full_epochs=None):
    """Pick the learner's own full training run if it finished, else the pretrained model.

    Only a run of the full course counts as the learner's own model: its
    folder must contain best.keras and a training log with at least
    ``full_epochs`` epochs. A fast-mode run lives in its own folder
    (``autoencoder-fast``) and is never picked, because a model trained for
    3 epochs on 96 images would make every picture in this notebook a blur.

    Parameters
    ----------
    run_dir : str or Path, optional
        The learner's run folder. Defaults to the full-course run folder,
        ``OUTPUT_DIR/runs/autoencoder``, even in fast mode.
    pretrained_path : str or Path, optional
        The shipped model. Defaults to ``settings.PRETRAINED_MODEL_PATH``.
    full_epochs : int, optional
        Epochs a finished run has logged. Defaults to ``settings.FULL_EPOCHS``.

    Returns
    -------
    path : Path
        The model file to load.
    reason : str
        One sentence saying which model was picked and why.

    Raises
    ------
    FileNotFoundError
        If neither a finished run nor the pretrained model exists.
    """
    if run_dir is None:
        run_dir = settings.default_run_dir(fast=False)
    run_dir = Path(run_dir)
    pretrained_path = Path(pretrained_path or settings.PRETRAINED_MODEL_PATH)
    full_epochs = full_epochs or settings.FULL_EPOCHS

    own_model = run_dir / "best.keras"
    epochs_done = count_logged_epochs(run_dir)
    if own_model.is_file() and epochs_done >= full_epochs:
        return own_model, (
            f"Using your own model {display_path(own_model)}, trained for {epochs_done} epochs in notebook 03."
        )

    if own_model.is_file():
        why_not_own = (
            f"your run in {display_path(run_dir)} has logged {epochs_done} of {full_epochs} epochs "
            "(rerun notebook 03 to resume it)"
        )
    else:
        why_not_own = f"there is no finished training run in {display_path(run_dir)}"

    if not pretrained_path.is_file():
        raise FileNotFoundError(
            f"No model to explore: {why_not_own}, and the pretrained model "
            f"{pretrained_path} is missing. Restore it with `git checkout -- {pretrained_path}`, "
            "or train the full course in notebook 03."
        )
    return pretrained_path, f"Using the pretrained model {display_path(pretrained_path)}, because {why_not_own}."


def save_model(model, path, include_optimizer=True):
    """Save a whole model so that a failed save leaves the old file intact.

    The model is written to a temporary file in the same folder, which then
    replaces ``path`` in one ``os.replace`` step. If writing fails, the
    temporary file is removed and ``path`` keeps its previous content.

    Parameters
    ----------
    model : keras.Model
        The model to save.
    path : str or Path
        Destination ending in ``.keras`` (the native Keras 3 format) or
        ``.h5`` (the legacy HDF5 format of the original script; Keras 3
        warns that it is legacy). Missing folders are created.
    include_optimizer : bool, optional
        Whether to save the compile settings and optimizer state, which are
        needed to resume training. Without them the file is about a quarter
        of the size. False works for functional models only.

    Raises
    ------
    ValueError
        If ``path`` has another extension, or none.
    """
    path = Path(path)
    _check_model_extension(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not include_optimizer:
        # A new functional model over the same layers shares the weights
        # but has never been compiled, so it carries no optimizer.
        model = keras.Model(model.inputs, model.outputs, name=model.name)

    with replace_on_success(path) as temporary:
        model.save(temporary)


def load_model(path, compile=True):
    """Load a whole model saved as ``.keras`` or as legacy ``.h5``.

    Parameters
    ----------
    path : str or Path
        A file from ``save_model()``, ``train()``'s run directory, or the
        original script's ``model.save('model.h5')``.
    compile : bool, optional
        Whether to restore the compile settings saved with the model.

    Returns
    -------
    model : keras.Model

    Raises
    ------
    ValueError
        If ``path`` does not end in ``.keras``, ``.h5`` or ``.hdf5``, or the
        file is damaged or not a Keras model.
    FileNotFoundError
        If there is no file at ``path``.
    """
    path = Path(path)
    _check_model_extension(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No model file at {path}. Check the path, or train and save a "
            f"model there first."
        )
    try:
        return keras.models.load_model(path, compile=compile)
    except (OSError, ValueError) as error:
        # Keras reports a damaged .keras file as "File not found", and h5py
        # names no file at all, so the message names the file that failed.
        raise ValueError(
            f"Could not load the model file {path}: it is damaged or not a Keras "
            f"model ({error}). Save the model again, or restore the file, e.g. "
            f"with `git checkout -- {path}` for the shipped model."
        ) from error


def _check_model_extension(path):
    if path.suffix not in MODEL_EXTENSIONS:
        raise ValueError(
            f"Cannot use {str(path)!r} as a model file: Keras 3 stores whole "
            f"models only in files ending in .keras (the native format) or "
            f".h5 (the legacy HDF5 format). Add '.keras' to the file name."
        )


def _check_same_config(run_dir, saved_config, run_config):
    differences = [
        f"{key} {saved_config.get(key)!r} there but {value!r} now"
        for key, value in run_config.items()
        if saved_config.get(key) != value
    ]
    if differences:
        raise ValueError(
            f"{run_dir} contains a run with different settings ({'; '.join(differences)}), "
            f"so it cannot be resumed. Use a new run_dir, or the same settings."
        )


def _trim_csv_log(path, num_epochs):
    """Keep only the CSV rows of the first ``num_epochs`` epochs."""
    if not path.is_file():
        return
    if num_epochs == 0:
        path.unlink()
        return
    with open(path, newline="") as file:
        lines = file.read().splitlines(keepends=True)
    rows_to_keep = lines[: num_epochs + 1]
    if len(rows_to_keep) < len(lines):
        _write_text_atomically(path, "".join(rows_to_keep))


def _write_text_atomically(path, text):
    with replace_on_success(path) as temporary:
        temporary.write_text(text)
