"""Explore what a trained autoencoder learnt: latent codes, blends, neighbours.

Every interactive control here is a thin ipywidgets layer over a plain
function that returns arrays, so the tests and a notebook without a widget
frontend can call the same code:

- ``choose_trained_model`` picks the model to explore and returns the reason.
- ``encode_images``, ``decode_codes`` and ``encoder_feature_maps`` run the
  parts of the autoencoder.
- ``interpolate_codes`` and ``interpolation_steps`` decode blends of two
  latent codes, shown live by ``interpolation_widget``.
- ``nearest_neighbours`` and ``latent_and_pixel_neighbours`` find the
  closest images in latent or pixel space, shown live by ``neighbours_widget``.
- ``latent_pca`` projects the latent codes to two dimensions.
"""

from pathlib import Path

import cv2
import ipywidgets
import keras
import numpy as np
from sklearn.decomposition import PCA

from helpers import plots, settings
from helpers.model import LATENT_LAYER_NAME
from helpers.training import read_history


# ---------------------------------------------------------------------------
# Which model to explore
# ---------------------------------------------------------------------------


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
        # settings.default_run_dir() in full mode; spelt out because in fast
        # mode that function returns the fast run's folder.
        run_dir = settings.OUTPUT_DIR / "runs" / "autoencoder"
    run_dir = Path(run_dir)
    pretrained_path = Path(pretrained_path or settings.PRETRAINED_MODEL_PATH)
    full_epochs = full_epochs or settings.FULL_EPOCHS

    own_model = run_dir / "best.keras"
    epochs_done = count_logged_epochs(run_dir)
    if own_model.is_file() and epochs_done >= full_epochs:
        return own_model, (
            f"Using your own model {own_model}, trained for {epochs_done} epochs in notebook 03."
        )

    if own_model.is_file():
        why_not_own = (
            f"your run in {run_dir} has logged {epochs_done} of {full_epochs} epochs "
            "(rerun notebook 03 to resume it)"
        )
    else:
        why_not_own = f"there is no finished training run in {run_dir}"

    if not pretrained_path.is_file():
        raise FileNotFoundError(
            f"No model to explore: {why_not_own}, and the pretrained model "
            f"{pretrained_path} is missing. Restore it with `git checkout -- {pretrained_path}`, "
            "or train the full course in notebook 03."
        )
    return pretrained_path, f"Using the pretrained model {pretrained_path}, because {why_not_own}."


# ---------------------------------------------------------------------------
# Running the parts of the autoencoder
# ---------------------------------------------------------------------------


def run_in_batches(model, inputs, batch_size=64):
    """Call a Keras model on inputs in batches and return a NumPy array.

    Calling the model directly, rather than through ``model.predict``,
    builds no new ``tf.function`` per call. So a widget that decodes one
    blend per slider move stays fast and triggers no retracing warnings.

    Parameters
    ----------
    model : keras.Model
    inputs : ndarray, shape (N, ...)
    batch_size : int
        Inputs per call; bounds the memory of the intermediate activations.

    Returns
    -------
    ndarray, shape (N, ...), float32
        The model's outputs in inference mode (BatchNormalization uses its
        moving averages).
    """
    inputs = np.asarray(inputs, dtype=np.float32)
    outputs = [
        np.asarray(call_model(model, inputs[start : start + batch_size]))
        for start in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(outputs)


def call_model(model, batch):
    """Call a Keras model on one batch in inference mode and return its output.

    A functional model loaded from a .keras file, and an encoder built from
    it, expects its single input wrapped in a list: Keras 3.12 warns "The
    structure of `inputs` doesn't match the expected structure" otherwise.
    So the batch is passed in the structure of ``model.input``.
    """
    if isinstance(model.input, list):
        return model([batch], training=False)
    return model(batch, training=False)


def encode_images(encoder, images, batch_size=64):
    """Compute the latent codes of a batch of images.

    Parameters
    ----------
    encoder : keras.Model
        Maps (N, 64, 64, 3) images to (N, 8, 8, 16) codes.
    images : ndarray, shape (N, H, W, 3), float32 in [0, 1]
    batch_size : int

    Returns
    -------
    codes : ndarray, shape (N, 8, 8, 16) for the default model, float32
    """
    return run_in_batches(encoder, images, batch_size)


def decode_codes(decoder, codes, batch_size=64):
    """Decode latent codes back to images.

    Parameters
    ----------
    decoder : keras.Model
        Maps (N, 8, 8, 16) codes to (N, 64, 64, 3) images.
    codes : ndarray, shape (N, 8, 8, 16), float32
    batch_size : int

    Returns
    -------
    images : ndarray, shape (N, 64, 64, 3), float32 in [0, 1]
    """
    return run_in_batches(decoder, codes, batch_size)


def encoder_feature_maps(model, image):
    """Compute the activation of each encoder block for one image.

    A block's activation is the input of its MaxPooling2D layer: the
    feature maps at full resolution, just before they are halved.

    Parameters
    ----------
    model : keras.Model
        The functional autoencoder; its encoder ends at the pooling layer
        named ``encoder``.
    image : ndarray, shape (H, W, 3), float32 in [0, 1]

    Returns
    -------
    list of (str, ndarray)
        One (layer name, (h, w, channels) float32 array) pair per encoder
        block, in order: 64x64x64, 32x32x32 and 16x16x16 for the default model.

    Raises
    ------
    ValueError
        If the model has no layer named ``encoder``.
    """
    layer_names = [layer.name for layer in model.layers]
    if LATENT_LAYER_NAME not in layer_names:
        raise ValueError(
            f"The model has no layer named {LATENT_LAYER_NAME!r} (layers: {layer_names}); "
            "build it with helpers.model.build_autoencoder."
        )
    encoder_layers = model.layers[: layer_names.index(LATENT_LAYER_NAME) + 1]

    block_outputs = []
    for previous, layer in zip(encoder_layers, encoder_layers[1:]):
        if isinstance(layer, keras.layers.MaxPooling2D):
            block_outputs.append(previous)

    probe = keras.Model(model.input, [layer.output for layer in block_outputs])
    activations = call_model(probe, np.asarray(image, dtype=np.float32)[np.newaxis])
    return [(layer.name, np.asarray(maps[0])) for layer, maps in zip(block_outputs, activations)]


# ---------------------------------------------------------------------------
# Interpolation between two latent codes
# ---------------------------------------------------------------------------


def check_mix(mix):
    """Raise ValueError unless ``mix`` is a number in [0, 1]."""
    if not 0.0 <= float(mix) <= 1.0:
        raise ValueError(f"mix must be between 0 and 1, got {mix}.")


def blend_codes(code_a, code_b, mix):
    """Return ``(1 - mix) * code_a + mix * code_b``: code A at mix 0, code B at mix 1."""
    check_mix(mix)
    return (1.0 - mix) * np.asarray(code_a) + mix * np.asarray(code_b)


def decode_mix(decoder, code_a, code_b, mix):
    """Decode the blend ``(1 - mix) * code_a + mix * code_b``.

    Parameters
    ----------
    decoder : keras.Model
    code_a, code_b : ndarray, shape (8, 8, 16), float32
        Latent codes of single images.
    mix : float in [0, 1]
        0 gives the reconstruction of image A, 1 that of image B.

    Returns
    -------
    image : ndarray, shape (64, 64, 3), float32 in [0, 1]

    Raises
    ------
    ValueError
        If ``mix`` is outside [0, 1].
    """
    blend = blend_codes(code_a, code_b, mix)
    return decode_codes(decoder, blend[np.newaxis])[0]


def interpolate_codes(encoder, decoder, image_a, image_b, mix):
    """Encode two images, blend their latent codes and decode the blend.

    Parameters
    ----------
    encoder, decoder : keras.Model
    image_a, image_b : ndarray, shape (64, 64, 3), float32 in [0, 1]
    mix : float in [0, 1]
        0 gives the reconstruction of ``image_a``, 1 that of ``image_b``.

    Returns
    -------
    image : ndarray, shape (64, 64, 3), float32 in [0, 1]

    Raises
    ------
    ValueError
        If ``mix`` is outside [0, 1].
    """
    check_mix(mix)
    code_a, code_b = encode_images(encoder, np.stack([image_a, image_b]))
    return decode_mix(decoder, code_a, code_b, mix)


def interpolation_steps(encoder, decoder, image_a, image_b, num_steps=8):
    """Decode evenly spaced blends from image A to image B.

    Parameters
    ----------
    encoder, decoder : keras.Model
    image_a, image_b : ndarray, shape (64, 64, 3), float32 in [0, 1]
    num_steps : int, at least 2
        Number of blends, both ends included.

    Returns
    -------
    images : ndarray, shape (num_steps, 64, 64, 3), float32 in [0, 1]
        The first is the reconstruction of A, the last that of B.
    mixes : ndarray, shape (num_steps,), float64
        The mix of each blend, from 0 to 1.

    Raises
    ------
    ValueError
        If ``num_steps`` is smaller than 2.
    """
    if num_steps < 2:
        raise ValueError(f"num_steps must be at least 2 to include both ends, got {num_steps}.")
    code_a, code_b = encode_images(encoder, np.stack([image_a, image_b]))
    mixes = np.linspace(0.0, 1.0, num_steps)
    blends = np.stack([blend_codes(code_a, code_b, mix) for mix in mixes])
    return decode_codes(decoder, blends), mixes


# ---------------------------------------------------------------------------
# Nearest neighbours and the 2-D latent map
# ---------------------------------------------------------------------------


def flatten_features(array):
    """Flatten every item of a batch to one float64 row: (N, ...) -> (N, D)."""
    array = np.asarray(array, dtype=np.float64)
    return array.reshape(len(array), -1)


def nearest_neighbours(features, index, k=5):
    """Find the k items closest to item ``index`` by Euclidean distance.

    Parameters
    ----------
    features : ndarray, shape (N, ...)
        One feature array per item, flattened before comparing: pixels for
        pixel space, latent codes for latent space.
    index : int
        The query item, which is left out of its own neighbours.
    k : int
        Number of neighbours, from 1 to N - 1.

    Returns
    -------
    indices : ndarray, shape (k,), int64
        The neighbours, closest first. Equal distances keep index order.
    distances : ndarray, shape (k,), float64
        Their Euclidean distances to the query.

    Raises
    ------
    IndexError
        If ``index`` is not in [0, N).
    ValueError
        If ``k`` is not in [1, N - 1].
    """
    rows = flatten_features(features)
    num_items = len(rows)
    if not 0 <= index < num_items:
        raise IndexError(f"index {index} is out of range for {num_items} items.")
    if not 1 <= k < num_items:
        raise ValueError(f"k must be between 1 and {num_items - 1} for {num_items} items, got {k}.")

    distances = np.linalg.norm(rows - rows[index], axis=1)
    distances[index] = np.inf
    order = np.argsort(distances, kind="stable")[:k]
    return order.astype(np.int64), distances[order]


def latent_pca(codes, num_components=2):
    """Project latent codes onto their first principal components.

    Parameters
    ----------
    codes : ndarray, shape (N, 8, 8, 16), float32
    num_components : int

    Returns
    -------
    points : ndarray, shape (N, num_components), float64
        The projected codes; the first column has the largest variance.
    pca : sklearn.decomposition.PCA
        The fitted projection; ``explained_variance_ratio_`` gives the share
        of the codes' variance each component keeps.
    """
    pca = PCA(n_components=num_components, random_state=0)
    points = pca.fit_transform(flatten_features(codes))
    return points, pca


# ---------------------------------------------------------------------------
# Widgets
# ---------------------------------------------------------------------------


def image_to_png(image, scale=3):
    """Encode an RGB image as PNG bytes, enlarged for display.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), float in [0, 1]
    scale : int
        Each pixel becomes a scale x scale block, so a 64x64 image stays
        sharp at 192x192 instead of being blurred by the browser.

    Returns
    -------
    bytes
        The PNG file.
    """
    pixels = np.clip(np.asarray(image) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    pixels = np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError(f"OpenCV failed to encode an image of shape {pixels.shape} as PNG.")
    return encoded.tobytes()


def labelled_image(description, image):
    """Return a VBox of a Label above an Image widget showing ``image``."""
    picture = ipywidgets.Image(value=image_to_png(image), format="png")
    return ipywidgets.VBox([ipywidgets.Label(description), picture]), picture


def interpolation_widget(encoder, decoder, images, names, index_a=0, index_b=1, mix=0.5):
    """Build a widget that decodes blends of two chosen images' latent codes.

    Two Dropdowns pick the Pokémon, a FloatSlider sets the mix, and three
    Image widgets show the reconstruction of A, the decoded blend and the
    reconstruction of B. Every change calls ``decode_mix``.

    Parameters
    ----------
    encoder, decoder : keras.Model
    images : ndarray, shape (N, 64, 64, 3), float32 in [0, 1]
    names : list of str, length N
        Shown in the Dropdowns.
    index_a, index_b : int
        The Pokémon selected at first.
    mix : float in [0, 1]
        The slider's first value.

    Returns
    -------
    ipywidgets.VBox
        With the CSS class ``interpolation-widget``. Its attributes
        ``dropdown_a``, ``dropdown_b``, ``slider`` and ``blend_image`` let
        code drive it as a learner would.

    Raises
    ------
    ValueError
        If ``names`` and ``images`` differ in length, or ``mix`` is outside [0, 1].
    """
    if len(names) != len(images):
        raise ValueError(f"Got {len(names)} names for {len(images)} images; pass one name per image.")
    check_mix(mix)

    # Encoding every image once keeps each slider move to one decoder call.
    codes = encode_images(encoder, images)
    reconstructions = decode_codes(decoder, codes)
    options = [(name, i) for i, name in enumerate(names)]

    dropdown_a = ipywidgets.Dropdown(options=options, value=index_a, description="Pokémon A")
    dropdown_b = ipywidgets.Dropdown(options=options, value=index_b, description="Pokémon B")
    slider = ipywidgets.FloatSlider(
        value=mix, min=0.0, max=1.0, step=0.05, description="mix", continuous_update=False
    )
    box_a, image_a = labelled_image("reconstruction of A", reconstructions[index_a])
    box_blend, blend_image = labelled_image("decoded blend", decode_mix(decoder, codes[index_a], codes[index_b], mix))
    box_b, image_b = labelled_image("reconstruction of B", reconstructions[index_b])

    def update(change=None):
        selected_a, selected_b = dropdown_a.value, dropdown_b.value
        image_a.value = image_to_png(reconstructions[selected_a])
        image_b.value = image_to_png(reconstructions[selected_b])
        blend = decode_mix(decoder, codes[selected_a], codes[selected_b], slider.value)
        blend_image.value = image_to_png(blend)

    for control in (dropdown_a, dropdown_b, slider):
        control.observe(update, names="value")

    widget = ipywidgets.VBox(
        [ipywidgets.HBox([dropdown_a, dropdown_b]), slider, ipywidgets.HBox([box_a, box_blend, box_b])]
    )
    widget.add_class("interpolation-widget")
    widget.dropdown_a, widget.dropdown_b = dropdown_a, dropdown_b
    widget.slider, widget.blend_image = slider, blend_image
    return widget


def latent_and_pixel_neighbours(images, codes, index, k=5):
    """Find one image's nearest neighbours both by latent code and by pixels.

    Parameters
    ----------
    images : ndarray, shape (N, 64, 64, 3), float32 in [0, 1]
    codes : ndarray, shape (N, 8, 8, 16), float32
        The latent codes of ``images``.
    index : int
        The query image.
    k : int
        Neighbours in each space, from 1 to N - 1.

    Returns
    -------
    latent, pixel : (indices, distances)
        ``nearest_neighbours`` of the codes and of the pixels.

    Raises
    ------
    ValueError
        If ``images`` and ``codes`` differ in length, or ``k`` is out of range.
    IndexError
        If ``index`` is out of range.
    """
    if len(images) != len(codes):
        raise ValueError(f"Got {len(images)} images but {len(codes)} codes; pass one code per image.")
    return nearest_neighbours(codes, index, k), nearest_neighbours(images, index, k)


def neighbours_widget(images, codes, names, index=0, k=5):
    """Build a widget that compares latent and pixel nearest neighbours.

    A Dropdown picks the Pokémon; an Output widget redraws
    ``helpers.plots.show_neighbour_comparison`` for it.

    Parameters
    ----------
    images : ndarray, shape (N, 64, 64, 3), float32 in [0, 1]
    codes : ndarray, shape (N, 8, 8, 16), float32
        The latent codes of ``images``.
    names : list of str, length N
    index : int
        The Pokémon selected at first.
    k : int
        Neighbours per row.

    Returns
    -------
    ipywidgets.VBox
        With the CSS class ``neighbours-widget`` and attributes ``dropdown``
        and ``output``.

    Raises
    ------
    ValueError
        If ``images``, ``codes`` and ``names`` differ in length.
    """
    if not len(images) == len(codes) == len(names):
        raise ValueError(
            f"Got {len(images)} images, {len(codes)} codes and {len(names)} names; "
            "pass one code and one name per image."
        )
    options = [(name, i) for i, name in enumerate(names)]
    dropdown = ipywidgets.Dropdown(options=options, value=index, description="Pokémon")
    output = ipywidgets.Output()

    def update(change=None):
        latent, pixel = latent_and_pixel_neighbours(images, codes, dropdown.value, k)
        output.clear_output(wait=True)
        with output:
            plots.show_neighbour_comparison(images, dropdown.value, latent, pixel, names=names)

    dropdown.observe(update, names="value")
    update()

    widget = ipywidgets.VBox([dropdown, output])
    widget.add_class("neighbours-widget")
    widget.dropdown, widget.output = dropdown, output
    return widget
