"""The embedded broker (config/broker.py): messages appear in the queue folder whole, and an
unreadable message file is skipped instead of stopping the worker."""

from __future__ import annotations

import pytest
from kombu import Connection, Exchange, Queue

import config.celery  # noqa: F401  (points filesystem:// at config.broker)
from config import broker


@pytest.fixture
def connection(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    with Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path / "control"),
        },
    ) as conn:
        yield conn, folder


def test_the_filesystem_scheme_uses_the_atomic_transport(connection):
    conn, _ = connection
    assert isinstance(conn.transport, broker.Transport)


def test_a_message_is_renamed_into_place_whole(connection, monkeypatch):
    conn, folder = connection
    seen = []
    real_replace = broker.os.replace

    def replace(source, target):
        # While the staged file is being written, the queue holds no .msg file for it.
        seen.append(sorted(p.name for p in folder.iterdir()))
        real_replace(source, target)

    monkeypatch.setattr(broker.os, "replace", replace)
    queue = Queue("renamed", Exchange("renamed"), "renamed")
    with conn.Producer() as producer:
        producer.publish({"n": 1}, exchange=queue.exchange, routing_key="renamed", declare=[queue])
    [[staged]] = seen
    assert staged.startswith(".")
    assert staged.endswith(".tmp")
    [name] = [p.name for p in folder.iterdir()]
    assert name.endswith(".renamed.msg")


def test_an_empty_message_file_is_skipped_and_the_next_one_delivered(connection):
    conn, folder = connection
    # Queue names of their own: kombu's virtual transports share bindings in memory.
    queue = Queue("torn", Exchange("torn"), "torn")
    (folder / "0_torn.torn.msg").write_bytes(b"")  # as a torn write would leave it
    with conn.Producer() as producer:
        producer.publish({"n": 2}, exchange=queue.exchange, routing_key="torn", declare=[queue])
    simple = conn.SimpleQueue(queue)
    message = simple.get(timeout=5)
    assert message.payload == {"n": 2}
    message.ack()
    simple.close()
