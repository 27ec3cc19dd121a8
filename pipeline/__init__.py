"""The russia-war-recruitment pipeline: validate the raw tables, build the data package."""

from importlib.metadata import PackageNotFoundError, version as _version

from .build import build
from .problems import DataInvalid, PipelineError, Problem
from .tables import load
from .validate import validate

try:
    __version__ = _version("russia-war-recruitment")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["build", "validate", "load", "Problem", "PipelineError", "DataInvalid", "__version__"]
