"""The project's error hierarchy: every error we raise on purpose is a ``WeeknotesError``."""

from __future__ import annotations


class WeeknotesError(Exception):
    """Base of every error Weeknotes raises on purpose."""


class SettingsError(WeeknotesError):
    """The configuration is missing or malformed; the message names the variable and what is wrong."""


class StorageError(WeeknotesError):
    """Storage could not be reached or answered with an unexpected error."""


class StorageUnavailableError(StorageError):
    """Storage is down or unreachable; the operation can be retried later."""


class ConcurrencyError(StorageError):
    """The record changed since it was read (ETag mismatch), or it already exists when created."""


class RecordTooLargeError(StorageError):
    """A record is larger than Table Storage accepts; nothing was written."""


class InvalidKeyError(StorageError):
    """A key cannot be stored (empty, or too long once escaped)."""


class OrgFileError(WeeknotesError):
    """An organisation file is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class NotAllowedError(WeeknotesError):
    """The sender may not do what they asked (role or ownership)."""


class InputError(WeeknotesError):
    """What the user sent cannot be accepted; the message is safe to show them."""


class DeliveryError(WeeknotesError):
    """A message could not be delivered: the connector kept failing, or the recipient cannot be reached."""


class RecipientBlockedError(DeliveryError):
    """The recipient blocked the bot (403, e.g. ``MessageWritesBlocked``): record it, do not retry."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code
