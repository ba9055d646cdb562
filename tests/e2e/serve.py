"""Run gunicorn with the clock at the test session's instant (argv: the instant, then gunicorn's).

The browser journeys' server is a separate process, so the session's time-machine does not reach
it: this wrapper travels there first, and gunicorn's forked worker inherits the travel.
"""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main() -> None:
    """Travel to the instant in argv[1], then hand the rest of argv to gunicorn."""
    instant = datetime.fromisoformat(sys.argv[1])
    sys.argv = ["gunicorn", *sys.argv[2:]]
    with time_machine.travel(instant, tick=True):
        from gunicorn.app.wsgiapp import run

        run()


if __name__ == "__main__":
    main()
