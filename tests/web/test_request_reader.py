"""The request reader in-process: where a request ends, and what it refuses, fed in pieces."""

import time

import pytest

from govkg.web.serve.request_reader import MAX_BODY_BYTES, Refusal, RequestReader


def fed(*pieces: bytes) -> list:
    reader = RequestReader()
    return [reader.feed(piece) for piece in pieces]


def test_a_head_without_a_body_is_complete_at_its_blank_line():
    assert fed(b"GET / HTTP/1.1\r\n", b"Host: x\r\n", b"\r", b"\n") == [False, False, False, True]


def test_a_body_is_complete_at_its_length():
    assert fed(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", b"cde") == [False, True]


def test_a_chunked_body_ends_with_its_last_chunk_and_trailers():
    assert fed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
               b"0\r\n", b"X-T: 1\r\n", b"\r\n") == [False, False, False, True]


def test_chunks_over_the_cap_are_refused_before_the_body_ends():
    reader = RequestReader(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    verdict = reader.feed(b"%x\r\n" % (MAX_BODY_BYTES + 1))
    assert isinstance(verdict, Refusal) and verdict.status == 413


def test_framing_only_gunicorn_can_judge_is_passed_on_whole():
    both = b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert fed(both) == [True]


def test_expect_continue_is_answered_once_and_removed():
    reader = RequestReader(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2"
                           b"\r\n\r\n")
    assert reader.wants_continue()
    assert reader.feed(b"ok") is True
    assert b"expect" not in reader.request_bytes().lower()


@pytest.mark.alone  # CPU time, which a busy neighbour still inflates
@pytest.mark.parametrize("piece", [b"a", b"x\r\n", b"\""])
def test_reading_is_linear_in_the_size_of_what_is_sent(piece):
    # a head sent a byte at a time up to the cap: each byte is looked at a few times only
    reader = RequestReader(b"GET / HTTP/1.1\r\nX: ")
    started = time.process_time()
    verdict = False
    while verdict is False:
        verdict = reader.feed(piece)
    assert isinstance(verdict, Refusal) and verdict.status == 431
    assert time.process_time() - started < 2.0


def test_a_chunk_arriving_in_pieces_counts_once():
    reader = RequestReader(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    size = MAX_BODY_BYTES // 2
    verdicts = [reader.feed(b"%x\r\n" % size)]
    verdicts += [reader.feed(b"x" * (size // 64)) for _ in range(64)]
    verdicts.append(reader.feed(b"\r\n0\r\n\r\n"))
    assert verdicts[-1] is True and not any(isinstance(v, Refusal) for v in verdicts)
