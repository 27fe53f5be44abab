"""Import key-task lists (tasks with their owning units and completion deadlines) as supervision items.

A task list is a table with the columns number, task, owning units and deadline (their Chinese headers are in
quorum/core/messages/supervision.py): an .xlsx workbook (its first sheet) or a CSV file in UTF-8 (with or
without BOM) or GB18030/GBK, as Excel saves it on a Chinese Windows. The header is the first row naming the
columns, so title rows above it are skipped. Each row becomes one open SupervisionItem without a matter:

- The owners cell may name several owners separated by the enumeration comma (dunhao): the first is the lead
  unit, the rest co-own. Generic owners such as "each community's management committee office" are mapped to the
  community's units through the explicit table demo/task_lists/unit_aliases.csv; a unit's own key, name or
  short name is accepted too.
- A deadline such as the end of a month with its year, the end of a month without one (year from the file) or a
  year and month is the last calendar day of that month (DOMAIN §6.6 #41: a calendar deadline, not moved to a
  working day); a day (an Excel date cell, its bare serial number, "2026-06-30", the same date written with the
  Chinese year, month and day signs) is that day.
- A deadline ending "…completed, then kept advancing / kept implementing" is a dated milestone that becomes a
  quarterly check once done (§6.6 #42); "kept implementing" alone is a quarterly check only, first due at the
  end of the current quarter.
  The item table has no column for this, so it is marked by a title suffix and recorded in the audit
  event of each created item.

Every row is checked before anything is written: the refusal lists every bad row, and the owners that
map to no unit once each with the rows naming them.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.calendar import month_end
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.core.messages import registers as task_list_dates
from quorum.core.messages import supervision as task_list
from quorum.core.states import SupervisionStatus
from quorum.db import Person, SupervisionItem, Unit
from quorum.services import audit, permissions
from quorum.services.env import Env

TASK_LISTS_DIR = Path(__file__).resolve().parent.parent / "demo" / "task_lists"
ALIASES_FILE = TASK_LISTS_DIR / "unit_aliases.csv"
CONTINUING_SUFFIX = message("supervision.import_continuing_suffix")
RECURRING_SUFFIX = message("supervision.import_recurring_suffix")
RECURRENCE = "quarterly"
TITLE_MAX = 200

# The task list's format is data, not wording, matched against what a file holds: its column names, the
# header names accepted for each, the owners' separators and the patterns of 完成时限 and of generic owners
# (kept with the area's wording, quorum/core/messages/supervision.py).
NUMBER, TASK, OWNERS, DEADLINE = (task_list.TASK_LIST_NUMBER, task_list.TASK_LIST_TASK, task_list.TASK_LIST_OWNERS,
                                  task_list.TASK_LIST_DEADLINE)
COLUMNS = task_list.TASK_LIST_COLUMNS
REQUIRED = (TASK, OWNERS, DEADLINE)
ALIAS_NAME = task_list.TASK_LIST_ALIAS_NAME
GENERIC_PREFIXES = task_list.TASK_LIST_GENERIC_PREFIXES
OWNER_SEPARATORS = re.compile(task_list.TASK_LIST_OWNER_SEPARATORS)
_CONTINUING_TAIL = re.compile(task_list.TASK_LIST_CONTINUING_TAIL)
_MONTH = re.compile(task_list.TASK_LIST_MONTH)
_YEAR_END = re.compile(task_list.TASK_LIST_YEAR_END)
_DONE_TAIL = re.compile(task_list.TASK_LIST_DONE_TAIL)
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_DAY = re.compile(task_list_dates.TASK_LIST_DAY)
_SERIAL = re.compile(task_list_dates.TASK_LIST_SERIAL)
CSV_ENCODINGS = ("utf-8-sig", "gb18030")      # UTF-8 with or without BOM; GB18030 reads GBK and GB2312 too
EXCEL_EPOCH = date(1899, 12, 30)             # serial 1 is 1900-01-01 (Excel counts a 1900-02-29 that never was)
SERIALS = (20000, 80000)                     # the serials of 1954-10-03 … 2119-01-10: plainly dates, not numbers


@dataclass(frozen=True)
class TaskDeadline:
    """A parsed deadline cell: a calendar due date, and whether the duty continues afterwards.

    due is None for "kept implementing" alone (a recurring duty with no first milestone).
    """

    due: date | None
    continuing: bool
    text: str

    @property
    def recurrence(self) -> str | None:
        return RECURRENCE if self.continuing else None


def parse_deadline(text: str, year_hint: int | None = None, where: str = "") -> TaskDeadline:
    """Understand a deadline cell: the end of a month with or without its year, a year and month "and kept
    advancing", the end of a month "completed, then kept advancing", or "kept implementing" alone.

    A month without a day means the last calendar day of that month. where (the row, in words) prefixes
    the refusal so the user can find the cell.
    """
    label = message("supervision.import_deadline_label", where=where)
    original = (text or "").strip()
    if not original:
        raise InvalidInput.because("supervision.import_deadline_empty", label=label)
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", original))
    continuing = bool(_CONTINUING_TAIL.search(t))
    t = _CONTINUING_TAIL.sub("", t)
    t = _DONE_TAIL.sub("", t)
    if not t:
        if continuing:
            return TaskDeadline(None, True, original)
        raise InvalidInput.because("supervision.import_deadline_unknown", label=label, text=original)
    if (m := _DAY.match(t)) or (m := _SERIAL.match(t)):
        return TaskDeadline(_exact_day(m, label, original), continuing, original)
    if m := _YEAR_END.match(t):
        year, month = int(m.group(1)), 12
    elif m := _MONTH.match(t):
        month = int(m.group(2))
        if m.group(1):
            year = int(m.group(1))
        elif year_hint is not None:
            year = int(year_hint)
        else:
            raise InvalidInput.because("supervision.import_deadline_no_year", label=label, text=original)
    else:
        raise InvalidInput.because("supervision.import_deadline_hint", label=label, text=original)
    if not 1 <= month <= 12:
        raise InvalidInput.because("supervision.import_deadline_month", label=label, text=original)
    if not 2000 <= year <= 2100:
        raise InvalidInput.because("supervision.import_deadline_year", label=label, text=original, year=year)
    return TaskDeadline(month_end(year, month), continuing, original)


def is_serial(value: float) -> bool:
    """Whether a number in a deadline cell is an Excel date serial (a date cell that lost its format)."""
    return SERIALS[0] <= value < SERIALS[1]


def serial_date(value: float) -> date:
    return EXCEL_EPOCH + timedelta(days=int(value))


def _exact_day(m: re.Match, label: str, original: str) -> date:
    """A deadline written as a day (2026-06-30, or with the Chinese year, month and day signs) or an Excel
    serial: that very day."""
    if len(m.groups()) == 1:
        if not is_serial(int(m.group(1))):
            raise InvalidInput.because("supervision.import_deadline_hint", label=label, text=original)
        day = serial_date(int(m.group(1)))
    else:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise InvalidInput.because("task_list.deadline_date", label=label, text=original) from None
    if not 2000 <= day.year <= 2100:
        raise InvalidInput.because("supervision.import_deadline_year", label=label, text=original, year=day.year)
    return day


def quarter_end(day: date) -> date:
    """The last day of day's quarter: the first check of a recurring-only duty."""
    return month_end(day.year, (day.month - 1) // 3 * 3 + 3)


def year_from_name(path: str | Path) -> int | None:
    """The year in a file name such as action_plan_2021.csv, used when --year is not given."""
    m = _FILE_YEAR.search(Path(path).name)
    return int(m.group(1)) if m else None


# ------------------------------------------------------------------------------------------------
# reading files


def resolve_path(path: str | Path) -> Path:
    """Return path, or the shipped task list of that name (e.g. "action_plan_2021.csv")."""
    p = Path(path)
    if not p.exists() and (TASK_LISTS_DIR / p.name).is_file() and p.name != ALIASES_FILE.name:
        return TASK_LISTS_DIR / p.name
    return p


def _header_index(names: list[str]) -> dict[str, int]:
    index = {}
    for column, accepted in COLUMNS.items():
        found = next((i for i, n in enumerate(names) if n in accepted), None)
        if found is not None:
            index[column] = found
    return index


def _find_header(rows: list[tuple[int, list[Any]]], source: str) -> tuple[int, dict[str, int]]:
    """The position of the header row — the first row naming every required column — and its column index.

    Lists from the health commission often carry a title (and a date or an annex line) above the header. When no
    row names them all, the refusal names the columns the first non-empty row lacks.
    """
    first: dict[str, int] | None = None
    for position, (_line, cells) in enumerate(rows):
        names = [_text(c) for c in cells]
        if not any(names):
            continue
        index = _header_index(names)
        if all(c in index for c in REQUIRED):
            return position, index
        first = index if first is None else first
    if first is None:
        raise InvalidInput.because("task_list.no_header", source=source)
    missing = [c for c in REQUIRED if c not in first]
    raise InvalidInput.because("supervision.import_columns_missing", source=source,
                               columns=message("value.list_separator").join(missing))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _deadline_cell(value: Any) -> str:
    """A deadline cell as text: an Excel date (a date cell or a bare serial number) becomes YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return serial_date(value).isoformat() if is_serial(value) else _text(value)
    return _text(value)


def _normalise(rows: list[tuple[int, list[Any]]], source: str) -> list[dict[str, Any]]:
    position, index = _find_header(rows, source)
    out = []
    for line, cells in rows[position + 1:]:
        values = {c: ("" if i >= len(cells) else (_deadline_cell(cells[i]) if c == DEADLINE else _text(cells[i])))
                  for c, i in index.items()}
        if not any(values.values()):
            continue
        out.append({NUMBER: values.get(NUMBER, ""), TASK: values[TASK], OWNERS: values[OWNERS],
                    DEADLINE: values[DEADLINE], "_line": line})
    return out


def _decoded(p: Path) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or, failing that, GB18030 (a superset of GBK)."""
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput.because("supervision.import_file_not_found", path=p) from None
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput.because("task_list.not_text", name=p.name)


def read_csv(path: str | Path) -> list[dict[str, Any]]:
    """Read a CSV task list (UTF-8 or GB18030/GBK, detected); each row keeps its file line as _line."""
    p = Path(path)
    text = _decoded(p)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [(reader.line_num, cells) for cells in reader]
    if not rows:
        raise InvalidInput.because("supervision.import_file_empty", name=p.name)
    return _normalise(rows, message("supervision.import_file", name=p.name))


def read_xlsx(path: str | Path) -> list[dict[str, Any]]:
    """Read the first sheet of an XLSX task list; each row keeps its sheet row number as _line."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput.because("supervision.import_file_not_found", path=path)
    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError):
        raise InvalidInput.because("task_list.not_xlsx", name=p.name) from None
    try:
        sheet = book.worksheets[0]
        all_rows = [(n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    if not all_rows:
        raise InvalidInput.because("supervision.import_file_empty", name=p.name)
    return _normalise(all_rows, message("supervision.import_file", name=p.name))


def read_file(path: str | Path) -> list[dict[str, Any]]:
    """Read a task list by its extension (.csv or .xlsx)."""
    p = resolve_path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return read_csv(p)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(p)
    raise InvalidInput.because("supervision.import_file_type", suffix=p.suffix or p.name)


# ------------------------------------------------------------------------------------------------
# owners


def load_aliases(path: str | Path = ALIASES_FILE) -> dict[str, str]:
    """The explicit mapping from generic owner names ("each community's management committee office" …) to unit
    keys."""
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        return {r[ALIAS_NAME].strip(): r["unit_key"].strip() for r in csv.DictReader(f)
                if (r.get(ALIAS_NAME) or "").strip()}


def _candidates(name: str) -> list[str]:
    out = [name]
    for prefix in GENERIC_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            out.append(name[len(prefix):])
    return out


class _Owners:
    def __init__(self, s: Session, aliases: Mapping[str, str]) -> None:
        self.units = list(s.execute(select(Unit)).scalars())
        self.by_key = {u.key: u for u in self.units}
        self.aliases = aliases

    def find(self, name: str) -> Unit | None:
        for candidate in _candidates(name):
            key = self.aliases.get(candidate)
            if key is not None:
                return self.by_key.get(key)
            for u in self.units:
                if candidate in (u.key, u.name, u.short_name):
                    return u
        return None


def split_owners(text: str) -> list[str]:
    return [n.strip() for n in OWNER_SEPARATORS.split(text or "") if n.strip()]


# ------------------------------------------------------------------------------------------------
# the use case


def _where(row: Mapping[str, Any], index: int) -> str:
    line = row.get("_line") or index + 2          # the header is line 1
    number = str(row.get(NUMBER) or "").strip()
    return message("supervision.import_row", line=line) + (
        message("supervision.import_row_number", number=number) if number else "")


@dataclass(frozen=True)
class _Planned:
    """A row checked and ready to write: its place in the file, title, units and deadline."""

    where: str
    task: str
    title: str
    lead: Unit
    co: tuple[Unit, ...]
    deadline: TaskDeadline


class _Problems:
    """Every refusal of a list's rows, gathered so one answer names them all (nothing is written meanwhile)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.unknown: dict[str, list[str]] = defaultdict(list)     # owner name → the rows naming it

    def add(self, error: InvalidInput) -> None:
        self.lines.append(str(error.params.get("reason", error)))

    def raise_any(self) -> None:
        lines = list(self.lines)
        if self.unknown:
            names = message("task_list.row_separator").join(
                message("task_list.unknown_owner_rows", name=name, rows=message("task_list.row_separator").join(rows))
                for name, rows in self.unknown.items())
            lines.append(message("task_list.unknown_owners", names=names))
        if len(lines) == 1 and not self.unknown:
            raise InvalidInput(reason=lines[0])
        if lines:
            raise InvalidInput.because("task_list.problems", count=len(self.lines) + len(self.unknown),
                                       problems=message("task_list.problem_separator").join(lines))


def _check_row(row: Mapping[str, Any], where: str, owners: "_Owners", year_hint: int | None,
               default_unit: str | None) -> tuple[_Planned | None, list[str]]:
    """The planned item of one row, or the owner names that map to no unit; raise InvalidInput for the rest."""
    task = str(row.get(TASK) or "").strip()
    if not task:
        raise InvalidInput.because("supervision.import_task_empty", where=where)
    deadline = parse_deadline(str(row.get(DEADLINE) or ""), year_hint, where)
    names = split_owners(str(row.get(OWNERS) or ""))
    if not names:
        if not default_unit:
            raise InvalidInput.because("supervision.import_owner_empty", where=where)
        names = [default_unit]
    units, unknown = [], []
    for name in names:
        found = owners.find(name)
        if found is None:
            unknown.append(name)
        elif found not in units:
            units.append(found)
    if deadline.continuing:
        title = task + (CONTINUING_SUFFIX if deadline.due is not None else RECURRING_SUFFIX)
    else:
        title = task
    if len(title) > TITLE_MAX:
        raise InvalidInput.because("supervision.import_task_too_long", where=where, limit=TITLE_MAX)
    if any(ord(ch) < 32 for ch in title):
        raise InvalidInput.because("supervision.import_task_control", where=where)
    if unknown:
        return None, unknown
    return _Planned(where, task, title, units[0], tuple(units[1:]), deadline), []


def check_rows(s: Session, rows: Iterable[Mapping[str, Any]], year_hint: int | None, skip_unknown: bool = False,
               default_unit: str | None = None, aliases: Mapping[str, str] | None = None
               ) -> tuple[list[_Planned], list[dict[str, Any]]]:
    """Check every row before anything is written; return the planned items and the rows skipped as unknown.

    One InvalidInput names every bad row; owners that map to no unit are listed once each with their rows
    (or, with skip_unknown, those rows are skipped and listed).
    """
    owners = _Owners(s, load_aliases() if aliases is None else aliases)
    problems, planned, skipped = _Problems(), [], []
    for index, row in enumerate(rows):
        where = _where(row, index)
        try:
            item, unknown = _check_row(row, where, owners, year_hint, default_unit)
        except InvalidInput as error:
            problems.add(error)
            continue
        if item is not None:
            planned.append(item)
        elif skip_unknown:
            skipped.append({"row": where, "title": str(row.get(TASK) or "").strip(),
                            "reason": message("supervision.import_skipped_unknown",
                                              names=message("value.list_separator").join(unknown))})
        else:
            for name in unknown:
                problems.unknown[name].append(where)
    problems.raise_any()
    return planned, skipped


def import_rows(s: Session, env: Env, actor: Person, rows: Iterable[Mapping[str, Any]], year_hint: int | None,
                skip_unknown: bool = False, default_unit: str | None = None, source: str = "",
                aliases: Mapping[str, str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Open one supervision item per task row; only the secretariat may import.

    Rows whose owners cell is blank use default_unit (a unit key or any owner name), for lists such as
    the Yunnan one (its annex 1) that name no owner per task. Every row is checked first (check_rows): any bad
    row refuses the whole import, naming them all. A task already open with the same title and lead unit is
    skipped, so importing the same list twice creates nothing the second time.
    """
    permissions.require(s, env, actor, "supervision.import", subject="supervision")
    planned, skipped = check_rows(s, rows, year_hint, skip_unknown, default_unit, aliases)
    created: list[dict[str, Any]] = []
    for plan in planned:
        existing = s.execute(select(SupervisionItem.id).where(
            SupervisionItem.title == plan.title, SupervisionItem.lead_unit_id == plan.lead.id,
            SupervisionItem.status == SupervisionStatus.OPEN)).first()
        if existing is not None:
            skipped.append({"row": plan.where, "title": plan.task,
                            "reason": message("supervision.import_skipped_existing", item_id=existing[0])})
            continue
        created.append(_open_item(s, env, actor, plan, source))
    return {"created": created, "skipped": skipped}


def _open_item(s: Session, env: Env, actor: Person, plan: _Planned, source: str) -> dict[str, Any]:
    deadline, lead, co = plan.deadline, plan.lead, plan.co
    due = deadline.due if deadline.due is not None else quarter_end(env.now.date())
    provisional = env.calendar.is_provisional(due)
    item = SupervisionItem(matter_id=None, title=plan.title, lead_unit_id=lead.id, co_unit_ids=[u.id for u in co],
                           due_date=due, due_provisional=provisional, recurrence=deadline.recurrence,
                           status=SupervisionStatus.OPEN, created_at=env.now)
    s.add(item)
    s.flush()
    audit.append(s, env, actor.id, "supervision.opened", "supervision", item.id,
                 {"title": plan.title, "lead_unit": lead.key, "co_units": [u.key for u in co], "due": due,
                  "provisional": provisional, "source": source or "import", "row": plan.where,
                  "deadline_text": deadline.text, "continuing": deadline.continuing,
                  "recurrence": deadline.recurrence, "milestone": deadline.due is not None})
    return {"id": item.id, "row": plan.where, "title": plan.title, "lead_unit": lead.key,
            "lead_unit_name": lead.short_name, "co_units": [u.key for u in co],
            "co_unit_names": [u.short_name for u in co], "due_date": due, "provisional": provisional,
            "continuing": deadline.continuing, "recurrence": deadline.recurrence, "milestone": deadline.due is not None}
