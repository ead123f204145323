"""Backend-neutral sheet shapes: what every backend reads and writes, and features build on.

- ``grid``: a tab as a grid of cell values, cell names, spreadsheet serial dates;
- ``task_tab``: the task tab's header row, which tab it is, and a new row's cells;
- ``office_tabs``: the tabs the Office owns in a unit's book (``Phối hợp``, ``Nhắc việc``);
- ``tables``: the summary's tables as every writer renders them;
- ``layout``, ``guide``: a new sheet's columns and its ``Hướng dẫn`` tab (``init``);
- ``books``: what ``init`` makes books for and reports.

Backends depend on these shapes and features depend on backends, never the other way.
"""
