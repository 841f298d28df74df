"""Figures of the course, from single images to the latent space.

Every ``show_*`` helper draws one figure, shows it with ``plt.show()`` and
closes it, so an executed notebook keeps the picture but no figure repr.
"""

import io
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


# ---------------------------------------------------------------------------
# Images and training curves (notebooks 01 to 03)
# ---------------------------------------------------------------------------


def save_and_show(fig, path=None):
    """Save the figure as PNG when a path is given, then show and close it.

    Parent folders of ``path`` are created.
    """
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.show()
    plt.close(fig)


def show_images(images, titles=None, ncols=8, image_size=1.6, title=None, path=None):
    """Show images in a grid, without ticks.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W, 3)
        uint8 in [0, 255] or float in [0, 1]; sizes may differ. Float values
        outside [0, 1] are clipped for display only.
    titles : sequence of str, optional
        One title per image.
    ncols : int
        Images per row; fewer when there are fewer images.
    image_size : float
        Width and height of each image in inches.
    title : str, optional
        Title of the whole figure.
    path : str or Path, optional
        Where to save the figure as PNG.

    Raises
    ------
    ValueError
        If there are no images, or not one title per image.
    """
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image, got none.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"Got {len(titles)} titles for {len(images)} images; pass one title per image.")

    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    # Each row gets room for the titles above its images, and the figure
    # room for its own title.
    row_height = image_size + (0.35 if titles is not None else 0.0)
    fig_height = nrows * row_height + (0.4 if title else 0.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * image_size, fig_height), squeeze=False)
    for index, axis in enumerate(axes.flat):
        if index >= len(images):
            axis.axis("off")
            continue
        image = np.asarray(images[index])
        if image.dtype == np.uint8:
            image = image / 255.0
        draw_image(axis, image, title=titles[index] if titles is not None else None)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    save_and_show(fig, path)


def show_loss_curves(history, floor=None, title="Training and validation loss", path=None):
    """Show the loss of each epoch, with the lowest reachable loss as a dashed line.

    Parameters
    ----------
    history : dict of str to list of float
        As returned by ``helpers.training.train``: ``"loss"`` and, when
        there was a validation set, ``"val_loss"``, one value per epoch. An
        ``"epoch"`` column (counted from 0, as Keras logs it) sets the x
        axis; without it the epochs are numbered 1, 2, ...
    floor : float, optional
        The loss a perfect reconstruction would reach, such as
        ``helpers.metrics.bce_floor(x_train)``.
    title : str
    path : str or Path, optional
        Where to save the figure as PNG.

    Raises
    ------
    ValueError
        If history has no ``"loss"`` values.
    """
    losses = list(history.get("loss", []))
    if not losses:
        raise ValueError(f"history has no 'loss' values to plot; its columns are {sorted(history)}.")
    if "epoch" in history:
        epochs = [int(epoch) + 1 for epoch in history["epoch"]]
    else:
        epochs = list(range(1, len(losses) + 1))
    # Markers help to read a short fast-mode run; on 200 epochs they clutter.
    marker = "." if len(epochs) < 30 else None

    fig, axis = plt.subplots(figsize=(7, 4))
    axis.plot(epochs, losses, marker=marker, label="training loss")
    if history.get("val_loss"):
        axis.plot(epochs, history["val_loss"], marker=marker, label="validation loss")
    if floor is not None:
        axis.axhline(floor, color="black", linestyle="--", linewidth=1, label=f"floor: {floor:.4f}")
    axis.set_xlabel("epoch")
    axis.set_ylabel("loss")
    axis.set_title(title)
    axis.grid(alpha=0.3)
    axis.legend()
    fig.tight_layout()
    save_and_show(fig, path)


# ---------------------------------------------------------------------------
# Seeing what the autoencoder learnt (notebook 04)
# ---------------------------------------------------------------------------


def best_and_worst_indices(scores, k=5):
    """Return the indices of the k highest and the k lowest scores.

    Parameters
    ----------
    scores : array-like, shape (N,)
        One score per image where higher is better, such as PSNR in dB.
    k : int
        How many of each, from 1 to N.

    Returns
    -------
    best : ndarray, shape (k,), int64
        Highest score first.
    worst : ndarray, shape (k,), int64
        Lowest score first. Equal scores keep index order in both.

    Raises
    ------
    ValueError
        If ``k`` is not in [1, N].
    """
    scores = np.asarray(scores, dtype=np.float64)
    if not 1 <= k <= len(scores):
        raise ValueError(f"k must be between 1 and {len(scores)} for {len(scores)} scores, got {k}.")
    ascending = np.argsort(scores, kind="stable")
    descending = np.argsort(-scores, kind="stable")
    return descending[:k].astype(np.int64), ascending[:k].astype(np.int64)


def draw_image(axis, image, title=None, xlabel=None):
    """Draw one RGB image on an axis without ticks, with an optional title and label."""
    axis.imshow(np.clip(image, 0.0, 1.0))
    axis.set_xticks([])
    axis.set_yticks([])
    if title is not None:
        axis.set_title(title, fontsize=8)
    if xlabel is not None:
        axis.set_xlabel(xlabel, fontsize=8)


def draw_reconstruction_pairs(axes_top, axes_bottom, originals, reconstructions, psnr_values, names):
    """Draw originals on one row of axes and their reconstructions, with PSNR, below."""
    for column, (top, bottom) in enumerate(zip(axes_top, axes_bottom)):
        name = names[column] if names is not None else None
        draw_image(top, originals[column], title=name)
        draw_image(bottom, reconstructions[column], xlabel=f"PSNR {psnr_values[column]:.1f} dB")
    axes_top[0].set_ylabel("original", fontsize=9)
    axes_bottom[0].set_ylabel("reconstruction", fontsize=9)


def show_reconstructions(originals, reconstructions, psnr_values, names=None, title=None, path=None):
    """Show originals above their reconstructions, with each PSNR below.

    Parameters
    ----------
    originals, reconstructions : ndarray, shape (N, H, W, 3), float in [0, 1]
        N images, drawn in one row each; pass a slice to show fewer.
    psnr_values : array-like, shape (N,)
        PSNR of each reconstruction in dB, printed under it.
    names : list of str, optional
        Drawn above the originals.
    title : str, optional
    path : str or Path, optional
        Where to save the figure as PNG.

    Raises
    ------
    ValueError
        If the three inputs differ in length.
    """
    num_images = len(originals)
    if not num_images == len(reconstructions) == len(psnr_values):
        raise ValueError(
            f"Got {num_images} originals, {len(reconstructions)} reconstructions and "
            f"{len(psnr_values)} PSNR values; pass one of each per image."
        )
    fig, axes = plt.subplots(2, num_images, figsize=(1.4 * num_images, 3.2), squeeze=False)
    draw_reconstruction_pairs(axes[0], axes[1], originals, reconstructions, psnr_values, names)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    save_and_show(fig, path)


def show_best_and_worst(originals, reconstructions, psnr_values, names=None, k=5, path=None):
    """Show the k best and the k worst reconstructions by PSNR.

    Parameters
    ----------
    originals, reconstructions : ndarray, shape (N, H, W, 3), float in [0, 1]
    psnr_values : array-like, shape (N,)
        PSNR of each reconstruction in dB.
    names : list of str, optional
    k : int
        How many of each, from 1 to N.
    path : str or Path, optional
        Where to save the figure as PNG.

    Raises
    ------
    ValueError
        If ``k`` is not in [1, N].
    """
    psnr_values = np.asarray(psnr_values)
    best, worst = best_and_worst_indices(psnr_values, k)
    fig, axes = plt.subplots(4, k, figsize=(1.4 * k, 6.8), squeeze=False)
    for rows, chosen, label in ((axes[:2], best, "best"), (axes[2:], worst, "worst")):
        chosen_names = [names[i] for i in chosen] if names is not None else None
        draw_reconstruction_pairs(
            rows[0], rows[1], originals[chosen], reconstructions[chosen], psnr_values[chosen], chosen_names
        )
        rows[0][0].set_ylabel(f"{label}: original", fontsize=9)
    fig.tight_layout()
    save_and_show(fig, path)


def strongest_channels(feature_maps, count):
    """Return the indices of the channels with the highest mean activation.

    Parameters
    ----------
    feature_maps : ndarray, shape (H, W, C)
    count : int
        At most C channels are returned.

    Returns
    -------
    ndarray, shape (min(count, C),), int64
        Strongest first; equal means keep channel order.
    """
    means = np.asarray(feature_maps, dtype=np.float64).mean(axis=(0, 1))
    return np.argsort(-means, kind="stable")[:count].astype(np.int64)


def show_feature_maps(block_activations, image=None, num_channels=8, path=None):
    """Show the most active feature maps of each encoder block, one block a row.

    Parameters
    ----------
    block_activations : list of (str, ndarray)
        ``(layer name, (h, w, channels) array)`` per block, as returned by
        ``helpers.latent.encoder_feature_maps``.
    image : ndarray, shape (H, W, 3), float in [0, 1], optional
        The input image, drawn at the start of the first row.
    num_channels : int
        Feature maps per row, picked by ``strongest_channels``.
    path : str or Path, optional
        Where to save the figure as PNG.
    """
    num_columns = num_channels + 1
    fig, axes = plt.subplots(
        len(block_activations), num_columns, figsize=(1.3 * num_columns, 1.5 * len(block_activations)),
        squeeze=False,
    )
    for block, (row, (layer_name, maps)) in enumerate(zip(axes, block_activations), start=1):
        for axis in row:
            axis.axis("off")
        height, width, depth = maps.shape
        row[1].set_title(f"block {block} ({layer_name}): {height}x{width}x{depth}", fontsize=8, loc="left")
        for axis, channel in zip(row[1:], strongest_channels(maps, num_channels)):
            axis.imshow(maps[:, :, channel], cmap="viridis")
            axis.set_xlabel(f"channel {channel}", fontsize=7)
            axis.axis("on")
            axis.set_xticks([])
            axis.set_yticks([])
    if image is not None:
        axes[0][0].axis("on")
        draw_image(axes[0][0], image, title="input")
    fig.tight_layout()
    save_and_show(fig, path)


def show_latent_code(code, title=None, path=None):
    """Show each channel of one latent code as a small heat map on a shared colour scale.

    Parameters
    ----------
    code : ndarray, shape (h, w, channels), float
        One latent code, (8, 8, 16) for the default model.
    title : str, optional
    path : str or Path, optional
        Where to save the figure as PNG.
    """
    code = np.asarray(code)
    height, width, depth = code.shape
    num_columns = min(depth, 8)
    num_rows = int(np.ceil(depth / num_columns))
    fig, axes = plt.subplots(
        num_rows, num_columns, figsize=(1.2 * num_columns, 1.3 * num_rows + 0.6), squeeze=False, layout="constrained"
    )
    shown = None
    for channel, axis in enumerate(axes.flat):
        axis.set_xticks([])
        axis.set_yticks([])
        if channel >= depth:
            axis.axis("off")
            continue
        shown = axis.imshow(code[:, :, channel], cmap="magma", vmin=code.min(), vmax=code.max())
        axis.set_title(f"channel {channel}", fontsize=7)
    fig.colorbar(shown, ax=axes, shrink=0.8, label="activation")
    fig.suptitle(title or f"latent code: {height}x{width}x{depth} = {code.size} numbers")
    save_and_show(fig, path)


def spread_out_indices(points, count):
    """Pick ``count`` points that are far apart, so thumbnails overlap little.

    Greedy farthest-point sampling: start at the point closest to the mean,
    then keep adding the point farthest from all points picked so far.

    Parameters
    ----------
    points : ndarray, shape (N, 2)
    count : int

    Returns
    -------
    ndarray, shape (min(count, N),), int64
        Distinct indices in the order they were picked.
    """
    points = np.asarray(points, dtype=np.float64)
    count = min(count, len(points))
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    picked = [int(np.argmin(np.linalg.norm(points - points.mean(axis=0), axis=1)))]
    distance_to_picked = np.linalg.norm(points - points[picked[0]], axis=1)
    while len(picked) < count:
        farthest = int(np.argmax(distance_to_picked))
        picked.append(farthest)
        distance_to_picked = np.minimum(distance_to_picked, np.linalg.norm(points - points[farthest], axis=1))
    return np.array(picked, dtype=np.int64)


def show_latent_map(points, images, explained_variance=None, num_thumbnails=60, zoom=0.45, path=None):
    """Draw 2-D latent points as dots, with image thumbnails on a spread-out subset.

    Parameters
    ----------
    points : ndarray, shape (N, 2)
        The latent codes projected to 2-D, for example by
        ``helpers.latent.latent_pca``.
    images : ndarray, shape (N, H, W, 3), float in [0, 1]
        The image of each point.
    explained_variance : sequence of 2 floats, optional
        Share of variance each axis keeps, written in the axis labels.
    num_thumbnails : int
        How many thumbnails to draw; picked by ``spread_out_indices``.
    zoom : float
        Thumbnail size relative to the image's pixel size.
    path : str or Path, optional
        Where to save the figure as PNG.
    """
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    points = np.asarray(points)
    fig, axis = plt.subplots(figsize=(10, 8))
    axis.scatter(points[:, 0], points[:, 1], s=6, color="0.6")
    for index in spread_out_indices(points, num_thumbnails):
        thumbnail = OffsetImage(np.clip(images[index], 0.0, 1.0), zoom=zoom)
        axis.add_artist(AnnotationBbox(thumbnail, points[index], frameon=False))
    for dimension, set_label in enumerate((axis.set_xlabel, axis.set_ylabel)):
        label = f"principal component {dimension + 1}"
        if explained_variance is not None:
            label += f" ({100 * explained_variance[dimension]:.0f}% of variance)"
        set_label(label)
    axis.set_title(f"{len(points)} latent codes in two dimensions")
    save_and_show(fig, path)


def show_interpolation_strip(images, mixes, name_a="A", name_b="B", path=None):
    """Show decoded blends from one Pokémon to another in a row.

    Parameters
    ----------
    images : ndarray, shape (S, H, W, 3), float in [0, 1]
        The decoded blends, as returned by ``helpers.latent.interpolation_steps``.
    mixes : array-like, shape (S,)
        The mix of each blend, written under it.
    name_a, name_b : str
        The two Pokémon, written at the ends.
    path : str or Path, optional
        Where to save the figure as PNG.
    """
    fig, axes = plt.subplots(1, len(images), figsize=(1.4 * len(images), 2.0), squeeze=False)
    for axis, image, mix in zip(axes[0], images, mixes):
        draw_image(axis, image, xlabel=f"mix {mix:.2f}")
    axes[0][0].set_title(name_a, fontsize=8)
    axes[0][-1].set_title(name_b, fontsize=8)
    fig.tight_layout()
    save_and_show(fig, path)


def draw_neighbour_comparison(images, index, latent_neighbours, pixel_neighbours, names=None):
    """Draw one Pokémon's nearest neighbours in latent space above those in pixel space.

    Parameters
    ----------
    images : ndarray, shape (N, H, W, 3), float in [0, 1]
    index : int
        The query image, drawn first in both rows.
    latent_neighbours, pixel_neighbours : (indices, distances)
        As returned by ``helpers.latent.nearest_neighbours``; both with k items.
    names : list of str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The open figure; ``show_neighbour_comparison`` shows it and
        ``figure_to_png`` turns it into PNG bytes for a widget.
    """
    k = len(latent_neighbours[0])
    fig, axes = plt.subplots(2, k + 1, figsize=(1.4 * (k + 1), 3.6), squeeze=False)
    rows = ((axes[0], latent_neighbours, "latent space"), (axes[1], pixel_neighbours, "pixel space"))
    for row, (indices, distances), label in rows:
        query_title = names[index] if names is not None else None
        draw_image(row[0], images[index], title=query_title, xlabel="query")
        row[0].set_ylabel(label, fontsize=9)
        for axis, neighbour, distance in zip(row[1:], indices, distances):
            neighbour_title = names[neighbour] if names is not None else None
            draw_image(axis, images[neighbour], title=neighbour_title, xlabel=f"distance {distance:.1f}")
    fig.tight_layout()
    return fig


def show_neighbour_comparison(images, index, latent_neighbours, pixel_neighbours, names=None, path=None):
    """Show the figure of ``draw_neighbour_comparison``, saved as PNG when ``path`` is given."""
    fig = draw_neighbour_comparison(images, index, latent_neighbours, pixel_neighbours, names=names)
    save_and_show(fig, path)


def figure_to_png(fig, dpi=100):
    """Render a figure to PNG bytes and close it.

    Widgets show these bytes in an ``ipywidgets.Image``. Drawing into an
    ``ipywidgets.Output`` instead made headless notebook runs (nbconvert)
    hang now and then while waiting for the widget's messages.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
