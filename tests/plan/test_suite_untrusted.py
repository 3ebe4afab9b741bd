"""Suite files are untrusted input (issue 24): a FIFO, an endless device, nesting that blows
the parser's stack and a seed past 2**32-1 are each one clear error, never a hang."""

from __future__ import annotations

import os

import pytest

from bench.errors import SuiteError
from bench.plan.loader import MAX_SUITE_BYTES, find_suite


def test_a_fifo_suite_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "s.toml"
    os.mkfifo(fifo)
    with pytest.raises(SuiteError, match="not a regular file"):
        find_suite(str(fifo))


def test_dev_zero_as_a_suite_is_refused_unread():
    with pytest.raises(SuiteError, match="/dev/zero: not a regular file"):
        find_suite("/dev/zero")


def test_a_suite_larger_than_the_cap_is_refused_unread(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * MAX_SUITE_BYTES)
    with pytest.raises(SuiteError, match="more than the"):
        find_suite(str(big))


def test_a_suite_nested_too_deep_is_one_error(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(SuiteError, match="nested too deep"):
        find_suite(str(deep))


@pytest.mark.parametrize("seed", [2**32, 2**64, -1])
def test_a_seed_outside_32_bits_is_refused_at_planning(tmp_path, seed):
    suite = tmp_path / "seed.toml"
    suite.write_text(f'seeds = [{seed}]\n[[models]]\nmodel = "logistic-regression"\n')
    with pytest.raises(SuiteError, match="from 0 to 4294967295"):
        find_suite(str(suite))
