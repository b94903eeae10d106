"""The installed package version, shared by the User-Agent header and `tunebench --version`."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tunebench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
