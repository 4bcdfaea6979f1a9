"""What Ray may print on the run's console: its INFO and WARNING lines only with --debug, no colour codes in a file."""

import logging

from cer_live.cluster.launch import ray_console


def test_ray_is_quiet_unless_debugging_and_plain_when_redirected():
    assert ray_console(logging.INFO, terminal=False) == (logging.ERROR, True)
    assert ray_console(logging.INFO, terminal=True) == (logging.ERROR, False)
    assert ray_console(logging.DEBUG, terminal=False) == (logging.INFO, True)
