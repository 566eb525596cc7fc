"""The JSON log format: one parseable object per line, request id and fields merged."""

from __future__ import annotations

import io
import json
import logging

import pytest

from orderforge.config import ConfigError
from orderforge.entrypoints.api import observability
from orderforge.entrypoints.api.observability import JsonFormatter, configure_logging


def test_a_record_is_one_json_line_with_its_fields() -> None:
    record = logging.LogRecord(
        "orderforge.request", logging.INFO, __file__, 1, "GET %s", ("/x",), None
    )
    record.fields = {"status": 200, "duration_ms": 1.5, "user_id": None}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /x"
    assert entry["level"] == "info"
    assert entry["status"] == 200 and entry["user_id"] is None
    assert "request_id" not in entry  # no request being served


def test_lines_logged_during_a_request_carry_its_id() -> None:
    token = observability._REQUEST_ID.set("req-7")
    try:
        record = logging.LogRecord("orderforge.x", logging.WARNING, __file__, 1, "hm", (), None)
        assert json.loads(JsonFormatter().format(record))["request_id"] == "req-7"
    finally:
        observability._REQUEST_ID.reset(token)


def test_configuring_twice_does_not_double_lines() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        configure_logging("INFO", stream)
        handler = configure_logging("INFO", stream)
        logging.getLogger("orderforge.test").info("once")
        assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["once"]
    finally:
        root.removeHandler(handler)
        for kept in before:
            if kept not in root.handlers:
                root.addHandler(kept)
        root.setLevel(level)


READERS = {
    "ORDERFORGE_METRICS": observability.metrics_open_from_env,
    "ORDERFORGE_LOG_LEVEL": observability.log_level_from_env,
}


@pytest.mark.parametrize(
    ("name", "value"), [("ORDERFORGE_METRICS", "maybe"), ("ORDERFORGE_LOG_LEVEL", "LOUD")]
)
def test_bad_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        READERS[name]()
