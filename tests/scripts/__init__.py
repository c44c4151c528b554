"""The project's scripts (scripts/*.py), loaded as modules so that tests can call their
functions: they are run as programs, not imported as a package."""

import functools
import importlib.util

from tests import ROOT

SCRIPTS = ROOT / "scripts"


@functools.cache
def load_script(name: str):
    """scripts/<name>.py as a module, loaded once."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
