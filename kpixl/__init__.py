"""kpixl: a council's quarterly performance cycle, from collection workbooks to the committee report.

The library API, for scripts (the command line is a thin layer over it):

    from kpixl.steps.workspace import Workspace
    from kpixl.steps.create import init_workspace
    from kpixl.register import load_register
    from kpixl.steps.indicators import load_overview
    from kpixl.domain import rate, change_in_performance, parse_period

Nothing heavy is imported here, so that `kpixl --help` stays fast.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
