"""Stand-in for Colab's ``google.colab`` module, for the simulated-Colab test.

Its presence in ``sys.modules`` is how the labs (and the notebooks' first cell) tell that
they run on Colab; nothing else of Colab is needed.
"""
