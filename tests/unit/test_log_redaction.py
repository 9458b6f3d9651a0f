"""Access tokens in WebSocket URLs never reach the logs of `sereno run`."""

from __future__ import annotations

import io
import logging
import logging.config

from sereno.core.observability import log_config


def test_the_token_in_a_websocket_url_is_redacted_in_uvicorns_log_lines():
    config = log_config(level="info", json=True)
    names = ["", *config["loggers"]]
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate)
             for n in names}  # fmt: skip
    logging.config.dictConfig(config)
    stream = io.StringIO()
    logging.getLogger("uvicorn.error").handlers[0].setStream(stream)
    try:
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/ws/console?token=eyJhbGciOi.secret.sig&x=1"
        )
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/ws/field?access_token=abc.def.ghi", "1.1", 101
        )
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate
    logged = stream.getvalue()
    assert "secret" not in logged and "abc.def" not in logged
    assert "/ws/console?token=[redacted]&x=1" in logged and "access_token=[redacted]" in logged
