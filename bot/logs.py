"""Logging: one line per event, and never a secret (tokens and the app password are masked)."""

from __future__ import annotations

import contextlib
import logging
import re
import sys

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-_.~+/=]+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_ACCOUNT_KEY = re.compile(r"(?i)(AccountKey=)[^;]+")


class RedactingFilter(logging.Filter):
    """Masks bearer tokens, JWTs, storage account keys and the given secrets in every record."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if len(s) >= 4)

    def redact(self, text: str) -> str:
        """``text`` with secrets masked."""
        text = _BEARER.sub(r"\1[redacted]", text)
        text = _JWT.sub("[redacted-jwt]", text)
        text = _ACCOUNT_KEY.sub(r"\1[redacted]", text)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class _WithholdingStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler whose own failures print no record and no traceback.

    When writing fails, ``logging.Handler.handleError`` prints the exception being handled to stderr, with the
    exception the caller was handling as its context, unfiltered: a token in that exception's message would
    be printed in clear. Say only that a record was lost.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if logging.raiseExceptions:
            with contextlib.suppress(Exception):
                sys.stderr.write(f"--- a log record from {record.name} could not be written ---\n")


def configure_logging(*, level: str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """Log to stderr through the redacting filter (handlers of the root logger)."""
    handler = _WithholdingStreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The Azure SDK logs every HTTP request at INFO; keep its warnings and errors only.
    logging.getLogger("azure").setLevel(logging.WARNING)
