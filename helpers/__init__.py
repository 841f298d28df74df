"""Shared code for the Pokémon autoencoder course.

Each module covers one concern, and the notebooks import from them rather than
repeating their code:

- ``helpers.settings``: where the bundled data, the pretrained model and the
  course's outputs live, and the fast mode used by tests.
- ``helpers.data``: finding, decoding, resizing and caching images.
- ``helpers.model``: the convolutional autoencoder and its encoder and decoder.
- ``helpers.training``: training with checkpoints, logs and resuming, and
  saving, loading and choosing trained models.
- ``helpers.metrics``: PSNR, SSIM and the lowest reachable cross-entropy.
- ``helpers.latent``: encoding, decoding, blending and comparing latent codes.
- ``helpers.plots`` and ``helpers.widgets``: figures and interactive controls.
"""

__version__ = "1.0.0"
