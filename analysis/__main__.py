"""``python -m analysis``: the command line (see :mod:`analysis.cli`)."""

from analysis.cli import exit_process, main

exit_process(main())
