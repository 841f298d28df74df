"""Tests of PSNR, SSIM and the binary cross-entropy floor."""

import math

import keras
import numpy as np
import pytest

from helpers.metrics import bce_floor, mean_psnr, mean_ssim, psnr, ssim


def random_images(shape, seed=0, high=1.0):
    return np.random.default_rng(seed).uniform(0.0, high, shape)


def test_psnr_of_offset_is_40_db():
    images = random_images((5, 16, 16, 3), high=0.99)

    values = psnr(images, images + 0.01)

    assert values.shape == (5,)
    np.testing.assert_allclose(values, 40.0, rtol=1e-9)


def test_psnr_float32_offset_near_40_db():
    images = random_images((2, 16, 16, 3), high=0.99).astype(np.float32)

    values = psnr(images, images + np.float32(0.01))

    np.testing.assert_allclose(values, 40.0, atol=1e-3)


def test_psnr_known_value():
    black = np.zeros((8, 8, 3))
    grey = np.full((8, 8, 3), 0.5)

    # MSE 0.25, so PSNR = 10 log10(1 / 0.25).
    assert psnr(black, grey) == pytest.approx(10 * math.log10(4))


def test_psnr_single_image_is_float():
    image = random_images((8, 8, 3))

    value = psnr(image, image + 0.1)

    assert isinstance(value, float)
    assert value == pytest.approx(20.0)


def test_psnr_per_image_values():
    images = np.zeros((2, 4, 4, 3))
    reconstructions = images.copy()
    reconstructions[0] += 0.1
    reconstructions[1] += 0.01

    np.testing.assert_allclose(psnr(images, reconstructions), [20.0, 40.0])
    assert mean_psnr(images, reconstructions) == pytest.approx(30.0)


def test_psnr_of_exact_copy_is_inf():
    images = random_images((2, 8, 8, 3))

    assert np.all(np.isinf(psnr(images, images.copy())))


def test_psnr_data_range():
    images = np.zeros((1, 4, 4, 3))

    # An error of 2.55 in 0-255 units is 0.01 in [0, 1] units.
    assert psnr(images, images + 2.55, data_range=255.0)[0] == pytest.approx(40.0)


def test_ssim_of_identical_images_is_1():
    images = random_images((3, 16, 16, 3))

    values = ssim(images, images.copy())

    assert values.shape == (3,)
    np.testing.assert_allclose(values, 1.0)
    assert mean_ssim(images, images) == pytest.approx(1.0)


def test_ssim_falls_with_noise():
    rng = np.random.default_rng(1)
    image = random_images((32, 32, 3))
    slightly_noisy = np.clip(image + rng.normal(0, 0.02, image.shape), 0, 1)
    very_noisy = np.clip(image + rng.normal(0, 0.2, image.shape), 0, 1)

    slight = ssim(image, slightly_noisy)
    strong = ssim(image, very_noisy)

    assert isinstance(slight, float)
    assert slight < 1.0
    assert strong < slight
    assert strong > -1.0


def test_ssim_averages_channels():
    image = random_images((16, 16, 3))
    reconstruction = image.copy()
    reconstruction[..., 0] = random_images((16, 16), seed=9)

    value = ssim(image, reconstruction)
    single_channel = ssim(image[..., :1], reconstruction[..., :1])

    # Two channels are exact (SSIM 1), so the mean is (2 + s) / 3.
    assert value == pytest.approx((2.0 + single_channel) / 3.0)


def test_bce_floor_of_half_grey_is_ln2():
    images = np.full((2, 8, 8, 3), 0.5, dtype=np.float32)

    assert bce_floor(images) == pytest.approx(math.log(2))


def test_bce_floor_of_binary_images_is_0():
    images = np.zeros((2, 8, 8, 3))
    images[0] = 1.0

    assert bce_floor(images) == 0.0


def test_bce_floor_known_value():
    images = np.full((1, 4, 4, 3), 0.25)

    expected = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert bce_floor(images) == pytest.approx(expected)


def test_bce_floor_equals_keras_loss_of_perfect_reconstruction():
    images = random_images((2, 8, 8, 3)).astype(np.float32)
    images[0, 0] = 0.0
    images[0, 1] = 1.0

    keras_loss = keras.losses.BinaryCrossentropy()(images, images)

    # Keras clips predictions to [1e-7, 1 - 1e-7], hence the tolerance.
    assert float(keras_loss) == pytest.approx(bce_floor(images), abs=1e-5)


def test_bce_floor_below_loss_of_imperfect_reconstruction():
    images = random_images((2, 8, 8, 3)).astype(np.float32)
    blurred = np.full_like(images, images.mean())

    keras_loss = keras.losses.BinaryCrossentropy()(images, blurred)

    assert float(keras_loss) > bce_floor(images) + 0.01


def test_uint8_images_raise():
    images = np.zeros((1, 8, 8, 3), dtype=np.uint8)

    with pytest.raises(ValueError, match="dtype uint8.*/ 255"):
        psnr(images, images)
    with pytest.raises(ValueError, match="dtype uint8"):
        ssim(images, images)
    with pytest.raises(ValueError, match="dtype uint8"):
        bce_floor(images)


def test_bce_floor_out_of_range_raises():
    with pytest.raises(ValueError, match="from 0 to 255, outside"):
        bce_floor(np.array([0.0, 255.0]))


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match=r"\(1, 8, 8, 3\) and \(1, 8, 8, 1\)"):
        psnr(np.zeros((1, 8, 8, 3)), np.zeros((1, 8, 8, 1)))


def test_wrong_rank_raises():
    with pytest.raises(ValueError, match="shape \\(8, 8\\)"):
        psnr(np.zeros((8, 8)), np.zeros((8, 8)))


def test_metrics_reject_out_of_range_values():
    images = np.full((1, 8, 8, 3), 0.5, dtype=np.float32)

    with pytest.raises(ValueError, match="from 127.5 to 127.5, outside \\[0, 1\\]"):
        psnr(images * 255, images * 255)
    with pytest.raises(ValueError, match="NaN"):
        ssim(images, np.full_like(images, np.nan))
    with pytest.raises(ValueError, match="empty"):
        bce_floor(np.zeros((0, 8, 8, 3), dtype=np.float32))
    assert psnr(images * 255, images * 255 + 1, data_range=255.0)[0] == pytest.approx(48.13, abs=0.01)
