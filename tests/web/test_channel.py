"""Messages between a web process and a query worker (``govkg.web.serve.channel``)."""

import socket
import threading

import pytest

from govkg.web.serve.channel import FIRST_READ, Channel


def test_messages_of_every_size_arrive_whole():
    ours, theirs = socket.socketpair()
    sender, receiver = Channel(ours), Channel(theirs)
    messages = [("ready", True), b"", b"x" * (FIRST_READ - 100), b"y" * (5 * FIRST_READ + 7),
                {"body": bytes(range(256)) * 40000}]

    def send_all() -> None:  # a big one only goes through while the other end reads
        for message in messages:
            sender.send(message)

    thread = threading.Thread(target=send_all)
    thread.start()
    assert receiver.ready_within(5)
    received = [receiver.receive() for _ in messages]
    thread.join()
    assert received == messages
    assert not receiver.ready_within(0.01)
    sender.close()
    receiver.close()


def test_a_closed_end_is_eof():
    ours, theirs = socket.socketpair()
    sender, receiver = Channel(ours), Channel(theirs)
    sender.close()
    assert receiver.ready_within(1)  # the end of the pipe wakes a waiting reader
    with pytest.raises(EOFError):
        receiver.receive()
    receiver.close()
