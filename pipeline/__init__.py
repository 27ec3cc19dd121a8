"""The russia-war-recruitment pipeline: validate the raw tables, build the data package.

`import pipeline` is light: the build stack (pandas, frictionless, Great
Expectations) is imported only when `pipeline.build`, `pipeline.validate` or
`pipeline.load` is first used.
"""

import sys
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version as _version
from types import ModuleType

from .problems import DataInvalid, PipelineError, Problem

try:
    __version__ = _version("russia-war-recruitment")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

# Public name -> the module that defines it, imported on first use.
_LAZY = {"build": "build", "validate": "validate", "load": "tables"}

__all__ = ["build", "validate", "load", "Problem", "PipelineError", "DataInvalid", "__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(ModuleType):
    """Keeps `pipeline.build` and `pipeline.validate` the functions when their modules are imported
    (the import system sets a submodule as an attribute of its package)."""

    def __setattr__(self, name: str, value) -> None:
        if name in _LAZY and _LAZY[name] == name and isinstance(value, ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
