"""Tests of the autoencoder architecture and its encoder and decoder."""

import keras
import numpy as np
import pytest

from helpers.model import (
    LATENT_LAYER_NAME,
    build_autoencoder,
    decoder_from,
    encoder_from,
)

# The layers of the original script, in order.
ORIGINAL_LAYER_TYPES = (
    ["InputLayer"]
    + ["Conv2D", "BatchNormalization", "Activation", "MaxPooling2D"] * 3
    + ["Conv2D", "BatchNormalization", "Activation", "UpSampling2D"] * 3
    + ["Conv2D", "BatchNormalization", "Activation"]
)


def conv_filters(model):
    return [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def randomize_weights(model, seed):
    """Give every weight a random value, BatchNormalization statistics too.

    Fresh BatchNormalization layers compute the identity in inference mode,
    so randomizing them makes the equality tests below meaningful.
    """
    rng = np.random.default_rng(seed)
    new_weights = []
    for weight in model.get_weights():
        # Moving variances must stay positive.
        new_weights.append(rng.uniform(0.5, 1.5, weight.shape).astype(weight.dtype))
    model.set_weights(new_weights)


def test_default_parameter_count():
    model = build_autoencoder()

    assert model.count_params() == 52_975


def test_default_layers_match_original():
    model = build_autoencoder()

    assert [type(layer).__name__ for layer in model.layers] == ORIGINAL_LAYER_TYPES
    assert conv_filters(model) == [64, 32, 16, 16, 32, 64, 3]
    assert model.layers[-1].get_config()["activation"] == "sigmoid"
    activations = [
        layer.get_config()["activation"]
        for layer in model.layers[:-1]
        if isinstance(layer, keras.layers.Activation)
    ]
    assert activations == ["relu"] * 6


def test_default_layer_settings_match_original():
    model = build_autoencoder()

    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            assert layer.kernel_size == (3, 3)
            assert layer.padding == "same"
        if isinstance(layer, keras.layers.MaxPooling2D):
            assert layer.pool_size == (2, 2)
            assert layer.padding == "same"
        if isinstance(layer, keras.layers.UpSampling2D):
            assert layer.size == (2, 2)


def test_latent_layer_is_last_pooling():
    model = build_autoencoder()
    latent_layer = model.get_layer(LATENT_LAYER_NAME)
    poolings = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]

    assert latent_layer is poolings[-1]
    assert tuple(latent_layer.output.shape) == (None, 8, 8, 16)


def test_model_output_shape_and_range():
    model = build_autoencoder()
    images = np.random.default_rng(0).random((2, 64, 64, 3), dtype=np.float32)

    reconstructions = model.predict(images, verbose=0)

    assert reconstructions.shape == (2, 64, 64, 3)
    assert reconstructions.min() >= 0.0
    assert reconstructions.max() <= 1.0


def test_encoder_output_shape():
    model = build_autoencoder()
    images = np.random.default_rng(0).random((3, 64, 64, 3), dtype=np.float32)

    codes = encoder_from(model).predict(images, verbose=0)

    assert codes.shape == (3, 8, 8, 16)


def test_decoder_input_shape():
    decoder = decoder_from(build_autoencoder())

    assert tuple(decoder.input_shape) == (None, 8, 8, 16)
    assert tuple(decoder.output_shape) == (None, 64, 64, 3)


def test_decoder_of_encoder_equals_model():
    model = build_autoencoder(seed=0)
    encoder = encoder_from(model)
    decoder = decoder_from(model)
    # Changing the weights after the split shows that the parts share them.
    randomize_weights(model, seed=1)
    images = np.random.default_rng(2).random((4, 64, 64, 3), dtype=np.float32)

    expected = model(images, training=False)
    codes = encoder(images, training=False)
    reconstructions = decoder(codes, training=False)

    np.testing.assert_allclose(reconstructions, expected, atol=1e-6)


def test_encoder_and_decoder_share_layers():
    model = build_autoencoder()
    encoder = encoder_from(model)
    decoder = decoder_from(model)

    model_layers = {id(layer) for layer in model.layers}
    split_layers = encoder.layers + decoder.layers[1:]
    assert all(id(layer) in model_layers for layer in split_layers)
    assert encoder.count_params() + decoder.count_params() == model.count_params()


def test_without_output_batchnorm():
    model = build_autoencoder(output_batchnorm=False)

    layer_types = [type(layer).__name__ for layer in model.layers]
    assert layer_types == ORIGINAL_LAYER_TYPES[:-2] + ["Activation"]
    # The removed layer had 4 * 3 parameters (gamma, beta, moving mean and
    # moving variance for each colour channel).
    assert model.count_params() == 52_975 - 12


def test_other_filters_and_size():
    model = build_autoencoder(input_shape=(16, 16, 3), filters=(8, 4))

    assert conv_filters(model) == [8, 4, 4, 8, 3]
    assert tuple(model.get_layer(LATENT_LAYER_NAME).output.shape) == (None, 4, 4, 4)
    assert tuple(model.output_shape) == (None, 16, 16, 3)


def test_small_model_decoder_of_encoder_equals_model():
    model = build_autoencoder(input_shape=(16, 16, 3), filters=(8, 4), output_batchnorm=False)
    randomize_weights(model, seed=3)
    images = np.random.default_rng(4).random((2, 16, 16, 3), dtype=np.float32)

    codes = encoder_from(model)(images, training=False)
    reconstructions = decoder_from(model)(codes, training=False)

    np.testing.assert_allclose(reconstructions, model(images, training=False), atol=1e-6)


def test_size_not_divisible_by_8_raises():
    with pytest.raises(ValueError, match="divisible by 8"):
        build_autoencoder(input_shape=(60, 60, 3))


def test_empty_filters_raises():
    with pytest.raises(ValueError, match="filters is empty"):
        build_autoencoder(filters=())


def test_seed_repeats_initial_weights():
    first = build_autoencoder(input_shape=(16, 16, 3), seed=5)
    second = build_autoencoder(input_shape=(16, 16, 3), seed=5)

    for first_weight, second_weight in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(first_weight, second_weight)


def test_split_without_latent_layer_raises():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same")(inputs))

    with pytest.raises(ValueError, match="no layer named 'encoder'"):
        encoder_from(model)
    with pytest.raises(ValueError, match="no layer named 'encoder'"):
        decoder_from(model)
