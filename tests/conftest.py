"""Shared pytest options and fixtures."""

from __future__ import annotations

import pytest

from . import services


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden .out files from the actual output (review `git diff golden/` after)",
    )


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """The project's Kafka broker (scripts/kafka.sh), started if needed: "127.0.0.1:PORT"."""
    try:
        return services.start_kafka()
    except services.ServiceError as e:
        error = str(e)
    pytest.fail(f"the Kafka broker could not be started:\n{error}", pytrace=False)


@pytest.fixture(scope="session")
def real_hms() -> tuple[str, int]:
    """A real Hive Metastore (scripts/hms.sh), started if needed: (host, port)."""
    try:
        return services.start_hms()
    except services.ServiceError as e:
        error = str(e)
    pytest.fail(f"the Hive Metastore could not be started:\n{error}", pytrace=False)


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """The project's S3-API server (scripts/s3.sh), started if needed: "http://127.0.0.1:PORT"."""
    try:
        return services.start_s3()
    except services.ServiceError as e:
        error = str(e)
    pytest.fail(f"the S3 server could not be started:\n{error}", pytrace=False)
