"""One module per command of ``python -m analysis``.

Each module defines ``register(commands)``, which adds its subparser to the
argparse sub-parsers object and sets ``run`` to a function of the parsed
arguments, and optionally ``ORDER`` (its place in ``--help``). The command line
finds the modules here by itself.
"""
