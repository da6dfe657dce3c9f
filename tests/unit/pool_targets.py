"""Worker functions for the pool tests; they must live in an importable module."""

import os
import signal
import time


def square(value, *, clock=None):
    return value * value


def sleep_then_return(seconds, *, clock=None):
    time.sleep(seconds)
    return seconds


def sleep_with_extension(seconds, extension, *, clock=None):
    clock.allow(extension)
    time.sleep(seconds)
    return "done"


def crash(*, clock=None):
    os.kill(os.getpid(), signal.SIGSEGV)


def hog_memory(megabytes, *, clock=None):
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def raise_error(*, clock=None):
    raise ValueError("bad input")


def dispatch(kind, *args, clock=None):
    return globals()[kind](*args, clock=clock)


def crawl_with_progress(steps, seconds_each, *, clock=None):
    for step in range(steps):
        clock.progress(f"step {step + 1} of {steps}")
        time.sleep(seconds_each)
    return "done"


def progress_then_hang(*, clock=None):
    clock.allow(20)
    clock.progress("step 1 of 3")
    clock.progress("step 2 of 3")
    time.sleep(30)


def crawl_with_extension(steps, seconds_each, extension, *, clock=None):
    clock.allow(extension)
    return crawl_with_progress(steps, seconds_each, clock=clock)
