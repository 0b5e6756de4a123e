"""PutEvents with the rules EventBridge sets: at most 10 entries and 1 MB per request, and a
partial failure reported per entry. Only the entries that failed are sent again, after a full-jitter
backoff, for a bounded number of attempts; what still fails is returned to the caller."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, List, Mapping, Sequence, Tuple

#: Entries per PutEvents request (EventBridge's limit).
MAX_ENTRIES_PER_REQUEST = 10
#: Bytes per PutEvents request (EventBridge's limit, counted as EventBridge counts entry sizes).
MAX_REQUEST_BYTES = 1024 * 1024
#: Per-entry error codes EventBridge documents as retryable; any other code is final.
RETRYABLE_ENTRY_ERRORS = frozenset({"ThrottlingException", "InternalFailure"})
_TRANSIENT_ERROR_CODES = frozenset({
    "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
    "InternalFailure", "InternalException", "ServiceUnavailable", "RequestTimeout", "RequestTimeoutException",
})

Entry = Mapping[str, Any]


@dataclass(frozen=True)
class Failure:
    """One entry that was not accepted, with the last error EventBridge (or the network) gave."""

    index: int
    entry: Entry
    error_code: str
    error_message: str


def entry_size(entry: Entry) -> int:
    """An entry's size as EventBridge computes it: its text fields in UTF-8, plus 14 bytes for a time."""
    size = 14 if entry.get("Time") is not None else 0
    for field in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(field, "")).encode("utf-8"))
    return size + sum(len(str(r).encode("utf-8")) for r in entry.get("Resources", []))


def batches(entries: Sequence[Entry]) -> Iterator[List[Tuple[int, Entry]]]:
    """Groups entries, keeping their positions, into requests within both PutEvents limits."""
    batch: List[Tuple[int, Entry]] = []
    size = 0
    for index, entry in enumerate(entries):
        this = entry_size(entry)
        if batch and (len(batch) == MAX_ENTRIES_PER_REQUEST or size + this > MAX_REQUEST_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((index, entry))
        size += this
    if batch:
        yield batch


def error_code_of(error: BaseException) -> str:
    """The AWS error code of a botocore error, or the exception's class name."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__


def is_transient(error: BaseException) -> bool:
    """Whether a failed request may pass on its own (throttling, 5xx, network trouble)."""
    try:
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return False
    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        return True
    response = getattr(error, "response", None)
    status = (response or {}).get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(response, dict) else None
    if isinstance(status, int) and (status >= 500 or status == 429):
        return True
    return error_code_of(error) in _TRANSIENT_ERROR_CODES


class Sender:
    """Sends entries with bounded, jittered retries of only the failed ones.

    The n-th retry waits a random time in [0, min(max_delay, base_delay * 2 ** (n - 1))] seconds.
    """

    def __init__(
        self,
        client: Any,
        *,
        max_attempts: int = 3,
        base_delay: float = 0.05,
        max_delay: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.client = client
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._jitter = jitter

    def send(self, entries: Sequence[Entry]) -> List[Failure]:
        """Sends every entry; returns those that still failed after the last attempt."""
        failures: List[Failure] = []
        for batch in batches(entries):
            failures.extend(self._send_batch(batch))
        return failures

    def _backoff(self, attempt: int) -> None:
        self._sleep(self._jitter(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1))))

    def _send_batch(self, batch: List[Tuple[int, Entry]]) -> List[Failure]:
        pending, final = batch, []
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            try:
                response = self.client.put_events(Entries=[dict(entry) for _, entry in pending])
            except Exception as error:  # noqa: BLE001 - any request failure is reported, never raised
                if is_transient(error) and not last:
                    self._backoff(attempt)
                    continue
                code = error_code_of(error)
                return final + [Failure(i, e, code, str(error)) for i, e in pending]
            results = list(response.get("Entries", []))
            retry = []
            for position, (index, entry) in enumerate(pending):
                result = results[position] if position < len(results) else {"ErrorCode": "MissingResult"}
                code = result.get("ErrorCode")
                if not code:
                    continue
                if code in RETRYABLE_ENTRY_ERRORS and not last:
                    retry.append((index, entry))
                else:
                    final.append(Failure(index, entry, str(code), str(result.get("ErrorMessage", ""))))
            if not retry:
                break
            pending = retry
            self._backoff(attempt)
        return final
