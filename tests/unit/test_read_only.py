"""Readers of published files see the file a publish swapped in, even while an older reader
of the same path is still open in the process."""

import os

import duckdb

from leaderboard.warehouse import read_only


def _write(path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT ?::INTEGER AS v", [value])
    con.close()


def test_a_reader_opened_after_a_swap_sees_the_new_file(tmp_path):
    published = tmp_path / "leaderboard.duckdb"
    _write(published, 1)
    with read_only(published) as before_swap:
        _write(tmp_path / "next.duckdb", 2)
        os.replace(tmp_path / "next.duckdb", published)
        with read_only(published) as after_swap:
            assert after_swap.execute("SELECT v FROM t").fetchall() == [(2,)]
        assert before_swap.execute("SELECT v FROM t").fetchall() == [(1,)]


def test_a_reader_cannot_write(tmp_path):
    published = tmp_path / "leaderboard.duckdb"
    _write(published, 1)
    with read_only(published) as con:
        try:
            con.execute("INSERT INTO t VALUES (3)")
        except duckdb.Error as exc:
            assert "read-only" in str(exc).lower()
        else:
            raise AssertionError("a read-only reader wrote to the published file")
    with read_only(published) as con:
        assert con.execute("SELECT v FROM t").fetchall() == [(1,)]
