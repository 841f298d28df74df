"""Measures of reconstruction quality for images in [0, 1].

``psnr`` and ``ssim`` score each image of a batch, and ``mean_psnr`` and
``mean_ssim`` average those scores over the batch. Higher is better for
both. ``bce_floor`` is the lowest binary cross-entropy any model can reach
on a set of images, the line that a loss curve approaches but never
crosses.
"""

import numpy as np
from scipy.special import entr
from skimage.metrics import structural_similarity


def psnr(images, reconstructions, data_range=1.0):
    """Compute the peak signal-to-noise ratio of each reconstruction, in dB.

    PSNR is ``10 * log10(data_range**2 / MSE)``, where MSE is the mean
    squared error over all pixels and channels of one image. Every halving
    of the root mean squared error adds about 6 dB.

    Parameters
    ----------
    images, reconstructions : ndarray, (N, H, W, C) or (H, W, C), float
        Original images and their reconstructions, same shape, values in
        [0, data_range].
    data_range : float, optional
        Distance between the lowest and highest possible pixel value.

    Returns
    -------
    psnr : ndarray of shape (N,), float64, or float
        One value per image for a batch, a float for a single image. An
        exact reconstruction has an MSE of 0 and a PSNR of ``inf``.

    Raises
    ------
    ValueError
        If the shapes differ, either array has an integer dtype or NaN
        values, or ``images`` has values outside [0, data_range].
    """
    images, reconstructions = _check_pair(images, reconstructions, data_range)
    squared_error = (images - reconstructions) ** 2
    pixel_axes = tuple(range(images.ndim - 3, images.ndim))
    mse = squared_error.mean(axis=pixel_axes)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(data_range**2 / mse)
    return float(values) if np.ndim(values) == 0 else values


def mean_psnr(images, reconstructions, data_range=1.0):
    """Return the PSNR of each image, averaged over the batch, in dB (float)."""
    return float(np.mean(psnr(images, reconstructions, data_range)))


def ssim(images, reconstructions, data_range=1.0):
    """Compute the structural similarity (SSIM) of each reconstruction.

    SSIM compares local means, contrasts and correlations in 7x7 windows,
    so it rewards kept edges and textures more than PSNR does. It is 1 for
    an exact reconstruction. The computation is
    ``skimage.metrics.structural_similarity`` with ``channel_axis=-1``: the
    SSIM of each colour channel, averaged over the channels.

    Parameters
    ----------
    images, reconstructions : ndarray, (N, H, W, C) or (H, W, C), float
        Original images and their reconstructions, same shape, values in
        [0, data_range]. H and W must be at least 7.
    data_range : float, optional
        Distance between the lowest and highest possible pixel value.

    Returns
    -------
    ssim : ndarray of shape (N,), float64, or float
        One value per image for a batch, a float for a single image. Values
        lie in [-1, 1].

    Raises
    ------
    ValueError
        If the shapes differ, either array has an integer dtype or NaN
        values, ``images`` has values outside [0, data_range], or an
        image is smaller than 7x7.
    """
    images, reconstructions = _check_pair(images, reconstructions, data_range)
    if images.ndim == 3:
        return _ssim_one(images, reconstructions, data_range)
    values = [
        _ssim_one(image, reconstruction, data_range)
        for image, reconstruction in zip(images, reconstructions)
    ]
    return np.array(values, dtype=np.float64)


def mean_ssim(images, reconstructions, data_range=1.0):
    """Return the SSIM of each image, averaged over the batch (float)."""
    return float(np.mean(ssim(images, reconstructions, data_range)))


def bce_floor(images):
    """Compute the lowest binary cross-entropy a model can reach on images.

    Binary cross-entropy between a target pixel ``p`` and a prediction
    ``q`` is ``-(p ln q + (1 - p) ln(1 - q))``. It equals the binary
    entropy of the target, ``H(p) = -(p ln p + (1 - p) ln(1 - p))``, plus
    the Kullback-Leibler divergence of ``q`` from ``p``, which is never
    negative and is 0 only at ``q = p``. So even a perfect reconstruction
    scores ``H(p)``, which is 0 only for pixels that are exactly 0 or 1.
    Photographs and drawings have many pixels in between, so their loss
    never gets near 0. This floor is what the loss curve approaches: the
    distance between the two is what the model can still learn.

    Parameters
    ----------
    images : ndarray, (N, H, W, C) or any shape, float in [0, 1]
        Target images, as passed to the loss.

    Returns
    -------
    floor : float
        Mean binary entropy of all pixel values, in nats (natural
        logarithm, as Keras' ``binary_crossentropy`` uses). Pixels that are
        exactly 0 or 1 contribute 0.

    Raises
    ------
    ValueError
        If ``images`` is empty, has an integer dtype, or has NaN values or
        values outside [0, 1].
    """
    images = np.asarray(images)
    _check_float(images, "images")
    # entr(p) is -p ln p with the limit 0 at p = 0, so pixels of exactly 0
    # or 1 add nothing instead of producing 0 * log(0) = nan.
    probabilities = images.astype(np.float64)
    entropy = entr(probabilities) + entr(1.0 - probabilities)
    return float(entropy.mean())


def _ssim_one(image, reconstruction, data_range):
    return float(
        structural_similarity(
            image, reconstruction, channel_axis=-1, data_range=data_range
        )
    )


def _check_pair(images, reconstructions, data_range=1.0):
    images = np.asarray(images)
    reconstructions = np.asarray(reconstructions)
    _check_float(images, "images", data_range)
    # A reconstruction may overshoot the range a little (a decoder without a
    # sigmoid does), so only the originals must lie in [0, data_range].
    _check_float(reconstructions, "reconstructions", data_range=None)
    if images.shape != reconstructions.shape:
        raise ValueError(
            f"images and reconstructions must have the same shape, but have "
            f"{images.shape} and {reconstructions.shape}."
        )
    if images.ndim not in (3, 4):
        raise ValueError(
            f"Expected one image (H, W, C) or a batch (N, H, W, C), but got "
            f"shape {images.shape}."
        )
    return images.astype(np.float64), reconstructions.astype(np.float64)


def _check_float(array, name, data_range=1.0):
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            f"{name} has dtype {array.dtype}, but these measures expect "
            f"floating point values in [0, 1]. Convert 8-bit images with "
            f"{name}.astype('float32') / 255."
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); pass at least one image.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; check the model's output.")
    if data_range is None:
        return
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > data_range:
        raise ValueError(
            f"{name} has values from {low:g} to {high:g}, outside [0, {data_range:g}]. "
            f"Scale 8-bit images with / 255, or pass data_range=255 for values in [0, 255]."
        )
