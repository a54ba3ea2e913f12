"""``python -m ebm_analysis``: see :mod:`ebm_analysis.cli`."""

from ebm_analysis.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
