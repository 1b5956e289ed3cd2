"""Progress on a terminal; silence when piped or in CI."""

import io

from xlalloc.cli.progress import progress_printer


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_on_a_terminal(monkeypatch):
    err = Tty()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.delenv("CI", raising=False)
    step = progress_printer(total=2)
    step("targets")
    step("writing")
    assert err.getvalue() == (
        "\r[##########          ] 1/2 targets         "
        "\r[####################] 2/2 writing         \n"
    )


def test_silent_when_piped_or_in_ci(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    progress_printer()("targets")
    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    monkeypatch.setenv("CI", "true")
    progress_printer()("targets")
    assert err.getvalue() == tty.getvalue() == ""
