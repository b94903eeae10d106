"""The embedded default's broker: kombu's filesystem transport, with atomic writes.

kombu's ``filesystem`` transport (5.7) writes a message straight into the queue folder
(``open(name, "wb")`` then ``write``), and a consumer lists the folder and reads whatever
it finds: a message caught between the two is read empty, and ``json.loads("")`` is an
"Unrecoverable error" that stops the whole worker. That happened under load once the
workers themselves sent messages (the dispatcher of server runs). Here a message is
written under a name the consumer ignores (it starts with a dot, so it has no
``<queue>.msg`` suffix after its first dot) and renamed into place, which is atomic on one
filesystem. A file that still cannot be parsed (written by an older process, or damaged)
is skipped with an error in the log instead of stopping the worker: its job is lost like
any message of a killed worker, and the sweepers re-send it from the database.

``config.celery`` points the ``filesystem://`` scheme at this transport.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        staged = os.path.join(self.data_folder_out, f".{name}.tmp")
        try:
            with open(staged, "wb", buffering=0) as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(staged, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(staged)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        while True:
            try:
                return super()._get(queue)
            except ValueError:  # an empty or damaged message file (JSONDecodeError)
                logger.error("skipped an unreadable message on queue %s", queue)


class Transport(filesystem.Transport):
    Channel = Channel
