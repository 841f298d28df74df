"""Interactive controls for exploring a trained autoencoder in JupyterLab.

Each widget is a thin ipywidgets layer over plain functions of
``helpers.latent``, which the tests and a notebook without a widget frontend
call directly:

- ``interpolation_widget`` decodes the blend of two chosen Pokémon's latent
  codes as a slider moves (``helpers.latent.decode_mix``).
- ``neighbours_widget`` compares a chosen Pokémon's nearest neighbours in
  latent and in pixel space (``helpers.latent.latent_and_pixel_neighbours``).
"""

import cv2
import ipywidgets
import numpy as np

from helpers import plots
from helpers.latent import check_mix, decode_codes, decode_mix, encode_images, latent_and_pixel_neighbours




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
    """Build a Label above an Image widget showing ``image``.

    Returns the VBox of both and the Image widget, which ``update`` callbacks
    give new PNG bytes.
    """
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


def neighbours_widget(images, codes, names, index=0, k=5):
    """Build a widget that compares latent and pixel nearest neighbours.

    A Dropdown picks the Pokémon; an Image widget shows the figure of
    ``helpers.plots.draw_neighbour_comparison`` for it.

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
        and ``picture``.

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
    picture = ipywidgets.Image(format="png")

    def update(change=None):
        latent, pixel = latent_and_pixel_neighbours(images, codes, dropdown.value, k)
        fig = plots.draw_neighbour_comparison(images, dropdown.value, latent, pixel, names=names)
        picture.value = plots.figure_to_png(fig)

    dropdown.observe(update, names="value")
    update()

    widget = ipywidgets.VBox([dropdown, picture])
    widget.add_class("neighbours-widget")
    widget.dropdown, widget.picture = dropdown, picture
    return widget
