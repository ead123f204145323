"""Names vulture cannot see used (scripts/test runs vulture with this file).

Only names that are used, by a library or by the tests, belong here, each with the reason.
"""

# ruff: noqa
from google_emulator import demo
from google_emulator.server import Emulator
from sync.demo.model import DemoProvince, ExpectedUnit

# `ubnd-sync demo --backend gsheets` loads it through its entry point (pyproject.toml,
# group ubnd_sync.demo_hosts; sync.demo.host).
demo.host

# The emulator is a test double: its Python API is for the tests, scripts/bench.py and the
# conformance replay (tests/conformance_replay.py).
Emulator.create_spreadsheet
Emulator.create_folder
Emulator.set_values
Emulator.spreadsheet_json
Emulator.file_info
Emulator.issue_token

# click calls the commands it registers.
from sync import cli
from sync.model import REPORT_STATUSES
from sync.schema import Field

cli.sync_cmd
cli.validate_cmd
cli.demo_cmd

# The tests check the demo covers every report status against this list.
REPORT_STATUSES

# Declared by the schema (sheets_schema/unit-sheet.yaml: `unique: province`), kept with the field.
Field.unique

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

# sqlite3 and python-docx read what we set on their objects.
_.row_factory
_.space_before
_.space_after
_.line_spacing
_.first_line_indent
_.left_indent
_.right_indent
_.keep_with_next
_.autofit
_.different_first_page_header_footer
_.is_linked_to_previous
_.orientation
_.page_height
_.page_width
_.top_margin
_.bottom_margin
_.left_margin
_.right_margin
_.header_distance
_.footer_distance
_.last_modified_by
_.revision

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
# (ubnd-sync init: print setup, sheet protection, the hidden list tab)
_.paperSize
_.fitToWidth
_.fitToHeight
_.fitToPage
_.top
_.print_title_rows
_.border
_.formatColumns
_.formatRows
_.autoFilter
_.selectLockedCells
_.selectUnlockedCells
_.sheet_state

# click reads these class attributes of our Vietnamese group (sync.cli.common.VietnameseGroup).
from sync.cli.common import VietnameseGroup

VietnameseGroup.command_class
VietnameseGroup.group_class

# Kept in the history by name (sync.history.records.UNIT_FIELDS) and read back with each unit:
# what changes whenever the workbook changes (file stamp, Drive version).
from sync.model import UnitResult
from sync.history.records import UnitSnapshot

UnitResult.source_version
UnitSnapshot.source_version

# ``init`` on Google: called by the Google backend's create_books (with INIT_SCOPES) and by
# scripts/bench.py --init.
from sync.backends.gsheets.client import INIT_SCOPES
from sync.backends.gsheets.create import init_google

INIT_SCOPES
init_google

# The summary written in the caller's process (no child): the tests and scripts/bench.py render
# the same tables this way to compare them.
from sync.backends.xlsx.summary import write_xlsx

write_xlsx

# pickle calls it for every class a cached tab names (sync.backends.xlsx.cache: only the cells' classes).
from sync.backends.xlsx.cache import _CellsOnly

_CellsOnly.find_class

# expat calls the handlers assigned to a parser (sync.backends.xlsx.package).
from xml.parsers import expat

_parser = expat.ParserCreate()
_parser.StartElementHandler
_parser.EndElementHandler
_parser.StartNamespaceDeclHandler
_parser.StartDoctypeDeclHandler
_parser.CharacterDataHandler
