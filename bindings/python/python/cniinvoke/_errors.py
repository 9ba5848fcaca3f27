"""The exceptions of :mod:`cniinvoke`, declared once, in one hierarchy.

Every error the library reports is a :class:`CNIError` carrying the CNI
error triple ``code``, ``msg`` and ``details``. A plugin's own CNI error is a
:class:`PluginError` with the plugin's code; errors found on this side of the
pipe carry code 0.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

__all__ = [
    "CNIError",
    "PluginNotFoundError",
    "PluginError",
    "PluginExecError",
    "DecodeError",
    "UnsupportedVersionError",
    "PluginTimeoutError",
    "PluginCancelledError",
    "InvalidArgumentError",
    "ConfigNotFoundError",
    "CNIIOError",
]


class CNIError(Exception):
    """A CNI error: ``code`` (int), ``msg`` (str) and ``details`` (str).

    ``str(err)`` is ``msg``, followed by ``"; " + details`` when there are
    details, as upstream's ``types.Error`` prints itself.
    """

    code: int
    msg: str
    details: str

    def __init__(self, msg: str = "", code: int = 0, details: str = "") -> None:
        super().__init__(msg, code, details)
        self.msg = msg
        self.code = code
        self.details = details

    def __str__(self) -> str:
        return f"{self.msg}; {self.details}" if self.details else self.msg

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(msg={self.msg!r}, code={self.code!r}, details={self.details!r})"
        )

    def to_dict(self) -> Dict[str, Any]:
        """The error as CNI's JSON object (``details`` left out when empty)."""
        out: Dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.details:
            out["details"] = self.details
        return out

    def to_json(self) -> str:
        """The error as compact CNI error JSON."""
        return json.dumps(self.to_dict(), separators=(",", ":"))


class PluginNotFoundError(CNIError):
    """The plugin is not on the search path
    (``failed to find plugin "x" in path [a b]``)."""


class PluginError(CNIError):
    """The plugin ran and failed: its own CNI error (``code``, ``msg``,
    ``details``), or the one upstream makes from its stderr
    (``netplugin failed: "<stderr>"``) or, when it wrote nothing, from its
    exit status (``netplugin failed with no error message: exit status 1``).

    ``exit_status`` is how the plugin process ended, as Go prints it
    (``"exit status 1"``, ``"signal: killed"``), for an error from a plugin
    the library ran; ``None`` for errors raised by a Python executor unless
    it sets one. It is never part of ``msg``.
    """

    exit_status: Optional[str]

    def __init__(
        self,
        msg: str = "",
        code: int = 0,
        details: str = "",
        exit_status: Optional[str] = None,
    ) -> None:
        super().__init__(msg, code, details)
        if exit_status is not None:
            # Part of args, so that a pickled error keeps it.
            self.args = (msg, code, details, exit_status)
        self.exit_status = exit_status


class PluginExecError(CNIError):
    """The plugin could not be started or talked to (``fork/exec ...``)."""


class DecodeError(CNIError):
    """A network configuration, result or version report could not be
    decoded."""


class UnsupportedVersionError(CNIError):
    """A CNI version this library does not know or cannot convert to."""


class PluginTimeoutError(CNIError, TimeoutError):
    """The deadline passed (``timeout=`` or the context's); the plugin was
    killed. Also a :class:`TimeoutError`."""


class PluginCancelledError(CNIError):
    """The context was cancelled; the plugin was killed."""


class InvalidArgumentError(CNIError, ValueError):
    """An argument the library cannot use (an empty plugin name, a name
    holding ``/``, no search paths, a NUL byte...). Also a
    :class:`ValueError`."""


class ConfigNotFoundError(CNIError):
    """No network configuration of that name (or none at all) in the
    directory: upstream's ``no net configuration with name "n" in DIR`` /
    ``no net configurations found in DIR``."""


class CNIIOError(CNIError):
    """A cache entry or configuration file could not be read or written
    (the C ABI's ``CNI_STATUS_IO``)."""


# Shown (and pickled) as cniinvoke.X, where users import them from.
for _cls in (
    CNIError,
    PluginNotFoundError,
    PluginError,
    PluginExecError,
    DecodeError,
    UnsupportedVersionError,
    PluginTimeoutError,
    PluginCancelledError,
    InvalidArgumentError,
    ConfigNotFoundError,
    CNIIOError,
):
    _cls.__module__ = "cniinvoke"
del _cls

