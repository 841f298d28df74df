"""The convolutional autoencoder of the course, and its encoder and decoder.

``build_autoencoder()`` with its defaults builds the original model: three
Conv2D-BatchNormalization-ReLU-MaxPooling2D blocks compress a 64x64x3 image
into an 8x8x16 latent code, and three mirrored
Conv2D-BatchNormalization-ReLU-UpSampling2D blocks followed by a 3-filter
Conv2D, BatchNormalization and a sigmoid turn the code back into an image.
It has 52,975 parameters. The options change the model only when asked.

``encoder_from()`` and ``decoder_from()`` split a trained autoencoder into
two models that share its layers, and so its trained weights.
"""

import keras
from keras import layers

# The name of the last encoder layer. Its output is the latent code.
LATENT_LAYER_NAME = "encoder"


def build_autoencoder(
    input_shape=(64, 64, 3),
    filters=(64, 32, 16),
    output_batchnorm=True,
    seed=None,
):
    """Build the convolutional autoencoder.

    Parameters
    ----------
    input_shape : tuple of 3 ints, optional
        ``(height, width, channels)`` of the images. Height and width must be
        divisible by ``2 ** len(filters)`` (8 for the default three blocks),
        because each encoder block halves them and each decoder block doubles
        them again.
    filters : tuple of ints, optional
        Number of Conv2D filters in each encoder block, from the input to the
        latent code. The decoder uses the same numbers in reverse order. The
        last number is the depth of the latent code.
    output_batchnorm : bool, optional
        Whether a BatchNormalization layer sits between the last Conv2D and
        the sigmoid, as in the original model. Without it, the sigmoid receives
        the convolution's output directly.
    seed : int, optional
        If given, ``keras.utils.set_random_seed(seed)`` is called before the
        layers are created, so the initial weights are the same on every
        call. This also seeds Python's and NumPy's global generators.

    Returns
    -------
    model : keras.Model
        A model named ``"autoencoder"`` that maps ``(N, *input_shape)`` float
        images in [0, 1] to reconstructions of the same shape in [0, 1].
        Its layer ``LATENT_LAYER_NAME`` outputs the latent code of shape
        ``(N, height / 2**len(filters), width / 2**len(filters), filters[-1])``.

    Raises
    ------
    ValueError
        If the height or width is not divisible by ``2 ** len(filters)``, or
        ``filters`` is empty.
    """
    if len(filters) == 0:
        raise ValueError("filters is empty. Give at least one encoder block, e.g. (64, 32, 16).")
    height, width, channels = input_shape
    factor = 2 ** len(filters)
    if height % factor or width % factor:
        raise ValueError(
            f"input_shape {tuple(input_shape)} does not work with {len(filters)} "
            f"pooling blocks: height and width must be divisible by {factor}. "
            f"Resize the images, e.g. to 64x64."
        )
    if seed is not None:
        keras.utils.set_random_seed(seed)

    inputs = keras.Input(shape=input_shape)
    x = inputs
    for index, num_filters in enumerate(filters):
        x = layers.Conv2D(num_filters, (3, 3), padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        is_last_block = index == len(filters) - 1
        pool_name = LATENT_LAYER_NAME if is_last_block else None
        x = layers.MaxPooling2D((2, 2), padding="same", name=pool_name)(x)

    for num_filters in reversed(filters):
        x = layers.Conv2D(num_filters, (3, 3), padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.UpSampling2D((2, 2))(x)

    x = layers.Conv2D(channels, (3, 3), padding="same")(x)
    if output_batchnorm:
        x = layers.BatchNormalization()(x)
    outputs = layers.Activation("sigmoid")(x)
    return keras.Model(inputs, outputs, name="autoencoder")


def encoder_from(model):
    """Build a model of the encoder part of a trained autoencoder.

    The encoder shares its layers, and so its weights, with ``model``.

    Parameters
    ----------
    model : keras.Model
        An autoencoder from ``build_autoencoder()`` or one loaded from a file.

    Returns
    -------
    encoder : keras.Model
        Maps ``(N, 64, 64, 3)`` images to ``(N, 8, 8, 16)`` latent codes for
        the default model.

    Raises
    ------
    ValueError
        If ``model`` has no layer named ``LATENT_LAYER_NAME``.
    """
    latent_layer = _latent_layer(model)
    return keras.Model(model.input, latent_layer.output, name="encoder_model")


def decoder_from(model):
    """Build a model of the decoder part of a trained autoencoder.

    The decoder starts from a new Input the shape of the latent code and
    calls the autoencoder's own decoder layers on it again, so it shares
    their trained weights, and ``decoder(encoder(x))`` equals ``model(x)``.

    The shortcut ``keras.Model(keras.Input((8, 8, 16)), model.output)``
    fails because ``model.output`` is computed from the autoencoder's own
    Input, not from the new one: Keras 2 (tf.keras, which the original
    script used) raises "Graph disconnected", and Keras 3.12 raises
    "`inputs` not connected to `outputs`". Keras 2 also raises "Graph
    disconnected" for ``keras.Model(model.get_layer("encoder").output,
    model.output)``. Calling the decoder layers on a new Input works in both
    versions and shows what a decoder is.

    Parameters
    ----------
    model : keras.Model
        An autoencoder whose layers after ``LATENT_LAYER_NAME`` form a single
        chain, as in every model ``build_autoencoder()`` makes.

    Returns
    -------
    decoder : keras.Model
        Maps ``(N, 8, 8, 16)`` latent codes to ``(N, 64, 64, 3)`` images in
        [0, 1] for the default model.

    Raises
    ------
    ValueError
        If ``model`` has no layer named ``LATENT_LAYER_NAME``.
    """
    latent_layer = _latent_layer(model)
    latent_shape = tuple(latent_layer.output.shape[1:])
    latent_input = keras.Input(shape=latent_shape, name="latent_code")

    # model.layers lists a functional model's layers in the order they are
    # called, so everything after the latent layer is the decoder.
    first_decoder_index = model.layers.index(latent_layer) + 1
    x = latent_input
    for layer in model.layers[first_decoder_index:]:
        x = layer(x)
    return keras.Model(latent_input, x, name="decoder_model")


def _latent_layer(model):
    try:
        return model.get_layer(LATENT_LAYER_NAME)
    except ValueError:
        names = [layer.name for layer in model.layers]
        raise ValueError(
            f"Model {model.name!r} has no layer named {LATENT_LAYER_NAME!r}, "
            f"so its latent code cannot be found. Its layers are: {names}. "
            f"Build the model with build_autoencoder()."
        ) from None
