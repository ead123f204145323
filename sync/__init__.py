"""ubnd-sync: consolidate units' task sheets for a provincial People's Committee.

Everything works from Python without the command line::

    from sync.config import load_config
    from sync.engine import run_sync

    result = run_sync(load_config("ubnd-sync.toml"), as_of=date(2024, 3, 5))
"""

__version__ = "0.1.0"
