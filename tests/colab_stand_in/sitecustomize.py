"""Import the stand-in ``google.colab`` at start-up, as Colab's own runtime does."""

import google.colab  # noqa: F401
