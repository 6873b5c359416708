"""File formats at the edge: tables (CSV, Parquet, SAS XPT), YAML/JSON documents read within bounds,
calendars as JSON, CSV and iCalendar, ClinicalTrials.gov records, and the ADSL variables ADaM datasets carry.

The names are imported on first use (PEP 562), so a command that reads one document does not load pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncotrial._lazy import lazy_attributes

if TYPE_CHECKING:
    from oncotrial._adsl import DEFAULT_ADSL_VARS
    from oncotrial._documents import DEFAULT_LIMITS, PATIENTS_FILE_LIMITS, DocumentLimits, read_document, shorten_path
    from oncotrial._writing import write_text_atomically
    from oncotrial.io.calendar import CALENDAR_COLUMNS, calendar_to_csv, calendar_to_ics, calendar_to_json
    from oncotrial.io.ctgov import CtgovImport, derive_protocol_from_ctgov
    from oncotrial.io.ctgov_results import CtgovResults, read_ctgov_results
    from oncotrial.io.tables import MISSING_SPELLINGS, read_table, write_table, write_table_arrow

# public name -> the module that defines it
_WHERE = {
    "CALENDAR_COLUMNS": "oncotrial.io.calendar",
    "CtgovImport": "oncotrial.io.ctgov",
    "CtgovResults": "oncotrial.io.ctgov_results",
    "DEFAULT_ADSL_VARS": "oncotrial._adsl",
    "DEFAULT_LIMITS": "oncotrial._documents",
    "DocumentLimits": "oncotrial._documents",
    "MISSING_SPELLINGS": "oncotrial.io.tables",
    "PATIENTS_FILE_LIMITS": "oncotrial._documents",
    "calendar_to_csv": "oncotrial.io.calendar",
    "calendar_to_ics": "oncotrial.io.calendar",
    "calendar_to_json": "oncotrial.io.calendar",
    "derive_protocol_from_ctgov": "oncotrial.io.ctgov",
    "read_document": "oncotrial._documents",
    "read_ctgov_results": "oncotrial.io.ctgov_results",
    "read_table": "oncotrial.io.tables",
    "shorten_path": "oncotrial._documents",
    "write_table": "oncotrial.io.tables",
    "write_table_arrow": "oncotrial.io.tables",
    "write_text_atomically": "oncotrial._writing",
}

__all__ = [
    "CALENDAR_COLUMNS",
    "DEFAULT_ADSL_VARS",
    "DEFAULT_LIMITS",
    "MISSING_SPELLINGS",
    "PATIENTS_FILE_LIMITS",
    "CtgovImport",
    "CtgovResults",
    "DocumentLimits",
    "calendar_to_csv",
    "calendar_to_ics",
    "calendar_to_json",
    "derive_protocol_from_ctgov",
    "read_ctgov_results",
    "read_document",
    "read_table",
    "shorten_path",
    "write_table",
    "write_table_arrow",
    "write_text_atomically",
]

__getattr__, __dir__ = lazy_attributes(globals(), _WHERE)
