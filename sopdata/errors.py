"""The one error type loaders and parsers raise, with a message for reviewers."""

from __future__ import annotations


class SOPLoadError(Exception):
    """A document could not be read as SOPs.

    ``message`` is one Indonesian sentence a reviewer can act on; ``source`` is
    the file name it concerns.
    """

    def __init__(self, message: str, source: str = "") -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)
