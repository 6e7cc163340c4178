"""The Azure Table service client as this project uses it: short timeouts, few retries, plain errors.

An outage must be reported in seconds, not after minutes of retries, so the client retries twice with a short
backoff and gives up on a connection after 2 s and on an answer after 5 s. Every transport failure becomes
``StorageUnavailableError``; every other error answer becomes ``StorageError`` with a plain message.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import aiohttp
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.data.tables.aio import TableClient, TableServiceClient

from bot.errors import StorageError, StorageUnavailableError

RETRY_TOTAL = 2
RETRY_BACKOFF = 0.4
CONNECTION_TIMEOUT = 2.0
READ_TIMEOUT = 5.0
PING_TIMEOUT = 3.0

T = TypeVar("T")

_TABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{2,62}")
_UNAVAILABLE_STATUS = frozenset({500, 502, 503, 504})


def open_service(
    connection_string: str,
    *,
    retry_total: int = RETRY_TOTAL,
    connection_timeout: float = CONNECTION_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> TableServiceClient:
    """A Table service client configured to fail fast.

    Args:
        connection_string: An Azure Storage connection string (``UseDevelopmentStorage=true`` for Azurite).
        retry_total: How many times a failed request is retried.
        connection_timeout: Seconds to wait for a connection.
        read_timeout: Seconds to wait for an answer.

    Returns:
        The client; close it with ``await client.close()``.

    Raises:
        StorageError: The connection string is malformed.
    """
    try:
        return TableServiceClient.from_connection_string(
            connection_string,
            retry_total=retry_total,
            retry_backoff_factor=RETRY_BACKOFF,
            retry_backoff_max=2,
            connection_timeout=connection_timeout,
            read_timeout=read_timeout,
        )
    except (ValueError, AzureError) as error:
        raise StorageError(f"The storage connection string is not valid: {error}") from None


def table_name(prefix: str, name: str) -> str:
    """``{prefix}{name}``, checked against Table Storage's rules (letters and digits, 3-63, a letter first).

    Raises:
        ValueError: The name would not be a valid table name.
    """
    full = f"{prefix}{name}"
    if not _TABLE_NAME.fullmatch(full):
        raise ValueError(
            f"{full!r} is not a valid table name: the table prefix must be letters and digits, "
            "starting with a letter, and the name at most 63 characters."
        )
    return full


async def ensure_table(service: TableServiceClient, name: str) -> TableClient:
    """Create table ``name`` unless it exists (safe when several processes do it at once).

    Args:
        service: The service client.
        name: A valid table name.

    Returns:
        A client for the table, sharing the service's connections.

    Raises:
        StorageUnavailableError: Storage cannot be reached.
        StorageError: Storage refused to create the table.
    """
    # ResourceExistsError: another process (or an earlier run) created it.
    with storage_errors(f"creating table {name}"), suppress(ResourceExistsError):
        await service.create_table(name)
    return service.get_table_client(name)


@contextmanager
def storage_errors(doing: str) -> Iterator[None]:
    """Translate Azure and transport errors raised inside the block into the project's storage errors.

    Args:
        doing: What was being done, for the message (``saving Update 2026-W20/alpha``).

    Raises:
        StorageUnavailableError: Storage could not be reached or did not answer in time.
        StorageError: Storage answered with an error.
    """
    try:
        yield
    except (ServiceRequestError, ServiceResponseError, aiohttp.ClientError, OSError, TimeoutError) as error:
        raise StorageUnavailableError(
            f"Table Storage could not be reached while {doing}: {_first_line(error)}"
        ) from error
    except HttpResponseError as error:
        if error.status_code in _UNAVAILABLE_STATUS:
            raise StorageUnavailableError(
                f"Table Storage is unavailable ({error.status_code}) while {doing}."
            ) from error
        detail = f"{error.status_code} {error_code(error)}".strip()
        raise StorageError(f"Table Storage refused {doing} ({detail}).") from error
    except AzureError as error:
        raise StorageError(f"Table Storage failed while {doing}: {_first_line(error)}") from error


async def gather_all(*operations: Awaitable[T]) -> list[T]:
    """Run ``operations`` concurrently and wait for all of them, then raise the first error if any failed.

    Unlike a bare ``asyncio.gather``, nothing is left running (or closed under its feet) when one fails.
    """
    results = await asyncio.gather(*operations, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [result for result in results if not isinstance(result, BaseException)]


def error_code(error: HttpResponseError) -> str:
    """The service's error code (``EntityAlreadyExists``, ``TableNotFound`` ...), or ``""``."""
    code: Any = getattr(error, "error_code", None)
    if code is None:
        headers: Mapping[str, str] = getattr(error.response, "headers", None) or {}
        code = headers.get("x-ms-error-code")
    return str(getattr(code, "value", code) or "")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


async def ping_table(table: TableClient) -> None:
    """Raise ``StorageUnavailableError`` unless the table answers within a few seconds.

    Args:
        table: Any table client; a point read of a key that never exists is the cheapest call.

    Raises:
        StorageUnavailableError: Storage is down or slow.
        StorageError: Storage answered, but the table is missing or refused the read.
    """
    try:
        async with asyncio.timeout(PING_TIMEOUT):
            with storage_errors(f"checking table {table.table_name}"):
                try:
                    await table.get_entity("ping", "ping", retry_total=0)
                except HttpResponseError as error:
                    if error.status_code != 404 or error_code(error) == "TableNotFound":
                        raise
    except TimeoutError as error:
        raise StorageUnavailableError(f"Table Storage did not answer within {PING_TIMEOUT:g} s.") from error
