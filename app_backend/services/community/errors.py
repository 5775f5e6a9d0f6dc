"""One error type for the community services; routes turn it into the HTTP answer."""

from __future__ import annotations


class CommunityError(Exception):
    def __init__(self, status_code: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.retry_after = retry_after
