"""Finds the user's frame: the innermost caller outside jaxlike and xla_bridge."""
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = (_PACKAGE_DIR + os.sep, os.path.join(os.path.dirname(_PACKAGE_DIR), "xla_bridge") + os.sep)
_SKIP_FILES = ("<frozen", os.sep + "contextlib.py", os.sep + "functools.py")


class SourceInfo:
    """Where an equation came from in user code."""

    __slots__ = ("filename", "lineno", "function")

    def __init__(self, filename, lineno, function):
        self.filename, self.lineno, self.function = filename, lineno, function

    def __str__(self):
        return f"{self.filename}:{self.lineno} ({self.function})"

    def short(self):
        return f"{os.path.basename(self.filename)}:{self.lineno}"


def _is_library(filename):
    return filename.startswith(_LIBRARY_DIRS) or any(s in filename for s in _SKIP_FILES)


def user_frame():
    """SourceInfo of the innermost frame outside the library, or None."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not _is_library(filename):
            return SourceInfo(filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


def user_line():
    """' (at file:line (function))' for error messages; empty when there is no user frame."""
    info = user_frame()
    return f"\n  at {info}" if info is not None else ""
