"""Work in the latent space of a trained autoencoder.

These plain functions take models and arrays and return arrays, so the
notebooks, the widgets in ``helpers.widgets`` and the tests all call the
same code:

- ``encode_images``, ``decode_codes`` and ``encoder_feature_maps`` run the
  parts of the autoencoder.
- ``interpolate_codes`` and ``interpolation_steps`` decode blends of two
  latent codes.
- ``nearest_neighbours`` and ``latent_and_pixel_neighbours`` find the
  closest images in latent or pixel space.
- ``latent_pca`` projects the latent codes to two dimensions.
"""

import keras
import numpy as np
from sklearn.decomposition import PCA

from helpers.model import LATENT_LAYER_NAME


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
