"""gpai-kg: an open, linked-data knowledge graph of the Global Partnership on AI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gpai-kg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
