"""Fixtures: a fresh simulator per test, and clients with fresh wallets."""

from __future__ import annotations

import secrets
from typing import Iterator

import pytest

import alura
from alura.testing import MockServer


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def key() -> str:
    return "0x" + secrets.token_hex(32)


@pytest.fixture
def client(mock: MockServer, key: str) -> alura.Client:
    # Strict: against our own simulator an answer off the spec is a bug in one of them.
    return alura.Client(base_url=mock.url, private_key=key, strict=True)


@pytest.fixture
def aclient(mock: MockServer, key: str) -> alura.AsyncClient:
    return alura.AsyncClient(base_url=mock.url, private_key=key, strict=True)


def sent(mock: MockServer, operation: str) -> int:
    return len(mock.requests(operation))
