"""Names vulture cannot see used (scripts/test runs vulture with this file).

Only names that are used, by a library or by the tests, belong here, each with the reason.
"""

# ruff: noqa
from sync.demo.gsheets import load_demo_into_emulator
from sync.demo.model import DemoProvince, ExpectedUnit
from sync.emulator.server import Emulator

# The emulator is a test double: its Python API is for the tests, scripts/bench.py and the
# conformance replay (tests/conformance_replay.py).
Emulator.create_spreadsheet
Emulator.create_folder
Emulator.set_values
Emulator.spreadsheet_json
Emulator.file_info
Emulator.issue_token

# Used by sync/cli.py (demo --backend gsheets). TODO(merge): drop once vulture scans all of sync/.
load_demo_into_emulator

# The demo's ground truth, read by the tests and by `ubnd-sync demo`.
ExpectedUnit.report_status
ExpectedUnit.error_codes
DemoProvince.previous_cutoff
DemoProvince.totals

# http.server calls do_<METHOD> and log_message, and reads these class attributes.
_.do_GET
_.do_POST
_.do_PUT
_.do_PATCH
_.do_DELETE
_.log_message
_.protocol_version
_.disable_nagle_algorithm
_.server_version
_.sys_version
_.daemon_threads
_.close_connection

# openpyxl and zipfile read what we set on their objects.
_.data_type
_.alignment
_.font
_.creator
_.lastModifiedBy
_.freeze_panes
_.hidden
_.compress_type
_.external_attr
