"""python -m google_emulator --port N --key-out FILE [--email E] [--quotas google|off] [--export-limit BYTES]"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from sync.atomic import atomic_write_bytes

from .server import Emulator


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="emulator", description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--key-out", type=Path)
    ap.add_argument("--email", default="sync@emulator-project.iam.gserviceaccount.com")
    ap.add_argument("--token-lifetime", type=float, default=3600.0)
    ap.add_argument(
        "--quotas",
        choices=("google", "off"),
        help="google: Google's published Sheets and Drive quotas per account and project; off: none "
        "(default: Sheets' 60 reads and 60 writes a minute per account). "
        'Switch at run time with POST /_emulator/quotas {"enabled": true|false}.',
    )
    ap.add_argument("--export-limit", type=int, help="files.export size limit in bytes (Google: 10 MB)")
    args = ap.parse_args(argv)
    emu = Emulator(host=args.host, port=args.port, token_lifetime=args.token_lifetime)
    if args.quotas:
        emu.quota.configure(preset=args.quotas)
    if args.export_limit is not None:
        emu.state.export_limit = args.export_limit
    emu.start()
    key = emu.create_service_account(args.email)
    if args.key_out:
        # a private key: readable by its owner only
        atomic_write_bytes(args.key_out, json.dumps(key, indent=2).encode("utf-8"), mode=0o600)
    print(emu.url, flush=True)
    stop = threading.Event()

    def _stop(*_: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    stop.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
