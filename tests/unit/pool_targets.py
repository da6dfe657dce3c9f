"""Worker functions for the pool tests; they must live in an importable module."""

import os
import signal
import time


def square(value, *, extend_deadline=None):
    return value * value


def sleep_then_return(seconds, *, extend_deadline=None):
    time.sleep(seconds)
    return seconds


def sleep_with_extension(seconds, extension, *, extend_deadline=None):
    extend_deadline(extension)
    time.sleep(seconds)
    return "done"


def crash(*, extend_deadline=None):
    os.kill(os.getpid(), signal.SIGSEGV)


def hog_memory(megabytes, *, extend_deadline=None):
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def raise_error(*, extend_deadline=None):
    raise ValueError("bad input")


def dispatch(kind, *args, extend_deadline=None):
    return globals()[kind](*args, extend_deadline=extend_deadline)
