"""Redaction: erase a text (a name, a personnummer) from every file of a data folder, history included.

An audit trail that keeps a personal identifier forever is a liability.
:func:`redact` (``python -m ebm_analysis redact TEXT [DATA_DIR]``) replaces
every occurrence of a text, in the form given and in its NFC and NFD
Unicode normalisations, with a placeholder (default ``[REDACTED]``):

- in every table (cell by cell, so quoting and delimiters stay intact),
  including the change log ``changes.jsonl`` (entry by entry), the kept
  versions in ``.versions/``, the tables an import wrote (``refi_*.csv``) and
  any other text file in the folder (``README.md``, ...);
- span codings on a segment whose text changed length are moved with it (a
  span that covered part of the text covers the whole placeholder), and
  their ``span_text`` is taken again from the new text;
- a cache under ``.cache/`` is deleted (it is rebuilt when needed).

It all happens inside the coding store's lock, and is all-or-nothing: the
new content of every file is written to a staging folder
(``.redact-staging/``) and checked first; a ``READY`` file then marks it
complete, and only then are the files moved into place. A crash before
``READY`` leaves the folder untouched (the staging folder is removed next
time); a crash after it is completed by the next :func:`redact`,
:meth:`~ebm_analysis.coding.CodingStore.open` or
:func:`~ebm_analysis.project.load_project`.

The change log gets a ``redact`` entry saying when, by whom, why, how many
occurrences in which files, and the placeholder: never the text, nor a hash
of it (a short identifier's hash can be reversed by trying every value).

Not covered: copies outside the data folder (git history, figures, rendered
reports, backups). Use ``git filter-repo`` or similar for the git history.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ebm_analysis import atomic
from ebm_analysis.changelog import (
    LOG_FILE, STAGING_DIR, STORE_TABLES, WRITTEN, Entry, read_forward, table_digest, utc_now,
)
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.lenient import read_coding_state
from ebm_analysis.lock import LOCK_FILE, DEFAULT_TIMEOUT, FolderLock, save_error
from ebm_analysis.reading import sniff_delimiter
from ebm_analysis.rowtable import RowTable
from ebm_analysis.schema import TABLES
from ebm_analysis.spans import covered_text, segment_texts, shift_offset

__all__ = ["PLACEHOLDER", "RedactionReport", "redact", "finish_interrupted"]

#: What a redacted text is replaced with, unless told otherwise.
PLACEHOLDER = "[REDACTED]"
#: Shorter texts are refused: they would hit ordinary words.
MIN_LENGTH = 4

_CACHE_DIR = ".cache"
_FILES = "files"
_READY = "READY"
_TABLE_BY_FILE = {t.file: t for t in TABLES}


@dataclass
class RedactionReport:
    """What :func:`redact` did.

    Attributes
    ----------
    replacements : dict of str to int
        Occurrences replaced, per file (relative to the data folder).
    moved : list of str
        Span codings whose offsets changed.
    deleted : list of str
        Files or folders deleted (a cache).
    placeholder : str
    """

    replacements: dict[str, int] = field(default_factory=dict)
    moved: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    placeholder: str = PLACEHOLDER

    @property
    def total(self) -> int:
        """All occurrences replaced."""
        return sum(self.replacements.values())

    def table(self) -> pd.DataFrame:
        """``file``, ``replaced`` per file."""
        return pd.DataFrame({"file": list(self.replacements), "replaced": list(self.replacements.values())})


def redact(text: str, folder: str | Path | None = None, *, placeholder: str = PLACEHOLDER, coder: str = "unknown",
           reason: str | None = None, lock_timeout: float = DEFAULT_TIMEOUT) -> RedactionReport:
    """Replace ``text`` with ``placeholder`` in every file of the data folder, history included.

    Parameters
    ----------
    text : str
        The text to erase (at least four characters).
    folder : str or Path, optional
        The data folder (None: :func:`~ebm_analysis.project.default_data_dir`).
    placeholder : str, default "[REDACTED]"
    coder : str
        Logged as who redacted.
    reason : str, optional
        Logged (it must not contain the text).
    lock_timeout : float
        Seconds to wait for another writer.

    Returns
    -------
    RedactionReport

    Raises
    ------
    DataError
        When the text is too short, occurs in an id, a code or a column
        name (redacting it would break the data: change those by hand), or
        inside a file that is not text; nothing is changed then.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> from ebm_analysis.project import BUNDLED_DATA, load_project
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "data"
    >>> _ = shutil.copytree(BUNDLED_DATA, folder, ignore=shutil.ignore_patterns(".*"))
    >>> report = redact("Helsingborg", folder, coder="R1", reason="demo")
    >>> report.total > 0, any("Helsingborg" in p.read_text(encoding="utf-8") for p in folder.rglob("*.*"))
    (True, False)
    """
    from ebm_analysis.project import default_data_dir

    folder = default_data_dir() if folder is None else Path(folder)
    forms = _forms(text)
    _check_request(forms, text, placeholder, coder, reason)
    if atomic.is_read_only(folder):
        raise DataError(Problem(folder.name + "/", None, None, "that the data folder is read-only",
                                "nothing was changed; make it writable to redact"))
    with FolderLock(folder, lock_timeout, holder=coder):
        finish_interrupted(folder, locked=True)
        try:
            report = _redact_locked(folder, forms, placeholder, coder, reason)
        except OSError as exc:
            shutil.rmtree(folder / STAGING_DIR, ignore_errors=True)
            raise save_error(exc, folder / STAGING_DIR, "redacting") from exc
        except BaseException:
            if not (folder / STAGING_DIR / _READY).exists():
                shutil.rmtree(folder / STAGING_DIR, ignore_errors=True)
            raise
        finish_interrupted(folder, locked=True)
    left = _still_there(folder, forms)
    if left:
        raise DataError(Problem(left[0], None, None, "the text still there after redacting",
                                "this should not happen; please report it, and remove the text by hand"))
    return report


def finish_interrupted(folder: str | Path, *, locked: bool = False) -> bool:
    """Complete a redaction that was interrupted after it was staged (or drop one that was not).

    Returns
    -------
    bool
        Whether an interrupted redaction was completed.
    """
    folder = Path(folder)
    staging = folder / STAGING_DIR
    if not staging.exists():
        return False
    if not locked:
        with FolderLock(folder):
            return finish_interrupted(folder, locked=True)
    ready = staging / _READY
    if not ready.exists():
        shutil.rmtree(staging, ignore_errors=True)
        return False
    plan = json.loads(ready.read_text(encoding="utf-8"))
    for rel in plan["moves"]:
        source = staging / _FILES / rel
        if source.exists():
            os.replace(source, folder / rel)
    for rel in plan["delete"]:
        target = folder / rel
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            target.unlink()
    atomic._fsync_folder(folder)
    if (folder / atomic.VERSIONS_DIR).is_dir():
        atomic._fsync_folder(folder / atomic.VERSIONS_DIR)
    shutil.rmtree(staging)
    atomic._fsync_folder(folder)
    return True


# ---------------------------------------------------------------- the work

def _forms(text: str) -> list[str]:
    forms = []
    for form in (text, unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)):
        if form and form not in forms:
            forms.append(form)
    return forms


def _check_request(forms, text, placeholder, coder, reason) -> None:
    problems = []
    if not isinstance(text, str) or len(text.strip()) < MIN_LENGTH:
        problems.append(Problem("(redact)", None, None, "a text shorter than four characters",
                                "give the whole name or number to redact; a short text would hit ordinary words"))
    if text != text.strip():
        problems.append(Problem("(redact)", None, None, "white space at the start or end of the text",
                                "give the text without surrounding spaces"))
    for what, value in (("the placeholder", placeholder), ("the coder", coder), ("the reason", reason or "")):
        if any(f in value for f in forms) or (what == "the placeholder" and not value.strip()):
            problems.append(Problem("(redact)", None, None, f"{what} containing the text" if value.strip()
                                    else f"an empty {what}", f"choose {what} without it"))
    if problems:
        raise DataError(problems)


def _replace(value: str, forms: list[str], placeholder: str) -> tuple[str, int]:
    count = 0
    for form in forms:
        if form in value:
            count += value.count(form)
            value = value.replace(form, placeholder)
    return value, count


def _redact_locked(folder: Path, forms: list[str], placeholder: str, coder: str, reason: str | None):
    report = RedactionReport(placeholder=placeholder)
    state = read_coding_state(folder)
    tables = {name: RowTable(t, state.tables[name]) for name, t in STORE_TABLES.items()}
    texts = segment_texts(state.tables)
    report.moved = _move_spans(tables["codings"], texts, forms, placeholder)
    counts_in_memory = _replace_in_rows(tables, forms, placeholder)
    staged: dict[str, bytes] = {}
    problems: list[Problem] = []
    for name, table in tables.items():
        rel = table.table.file
        staged[rel] = atomic.frame_to_csv_text(table.frame()[table.columns]).encode("utf-8")
        if counts_in_memory[name] or report.moved:
            report.replacements[rel] = counts_in_memory[name]
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel in staged or rel == LOG_FILE or not path.is_file() or path.is_symlink():
            continue
        if rel.split("/")[0] in (STAGING_DIR,) or rel == LOCK_FILE:
            continue
        if rel.split("/")[0] == _CACHE_DIR:
            continue
        data = path.read_bytes()
        new, count, problem = _redact_file(rel, data, forms, placeholder)
        if problem:
            problems.append(problem)
        elif count:
            staged[rel] = new
            report.replacements[rel] = count
    problems += [Problem(rel, None, None, "that the file is read-only", "make it writable (chmod u+w), then redact; "
                         "nothing was changed") for rel in staged if atomic.is_read_only(folder / rel)]
    if problems:
        raise DataError(problems)
    log = folder / LOG_FILE
    if log.is_file():
        new_log, count = _redact_log(log, forms, placeholder)
        report.replacements[LOG_FILE] = count
    else:
        new_log, count = b"", 0
    seq = state.change_log.sequence
    if not log.is_file():
        new_log += _line(_snapshot(seq + 1, coder, "start change log", state.tables))
        seq += 1
    summary = (f"redacted {report.total} occurrence(s) of a text in {len([f for f, n in report.replacements.items() if n])}"
               f" file(s), replaced by {placeholder}")
    note = Entry(seq + 1, seq + 1, 1, utc_now(), coder, "redact", "note", reason=reason,
                 after={"summary": summary, "files": sorted(f for f, n in report.replacements.items() if n),
                        "replacements": report.total, "placeholder": placeholder, "moved_codings": len(report.moved)})
    frames = {name: t.frame() for name, t in tables.items()}
    written = Entry(seq + 3, seq + 3, 1, utc_now(), coder, WRITTEN, "note",
                    after={"snapshot": seq + 2, "files": sorted(t.table.file for t in tables.values())})
    new_log += _line(note) + _line(_snapshot(seq + 2, coder, "redact", frames)) + _line(written)
    staged[LOG_FILE] = new_log
    if (folder / _CACHE_DIR).exists():
        report.deleted.append(_CACHE_DIR)
    _stage(folder, staged, report.deleted)
    return report


def _move_spans(codings: RowTable, texts: dict[str, str], forms, placeholder) -> list[str]:
    """Shift the offsets of span codings on segments whose text the redaction changes."""
    changed = {seg: text for seg, text in texts.items() if any(f in text for f in forms)}
    moved = []
    for key in list(codings.keys()):
        row = codings.get(key)
        seg = row["segment_id"]
        if seg not in changed or row["start"] is None:
            continue
        start, end, text = row["start"], row["end"], changed[seg]
        for form in forms:
            position = text.find(form)
            while position != -1:
                start = shift_offset(start, position, len(form), len(placeholder), is_end=False)
                end = shift_offset(end, position, len(form), len(placeholder), is_end=True)
                text = text[:position] + placeholder + text[position + len(form):]
                position = text.find(form, position + len(placeholder))
        new_span = covered_text(text, start, end)
        if (start, end) != (row["start"], row["end"]) or new_span != row["span_text"]:
            codings.put(key, {**row, "start": start, "end": end, "span_text": new_span})
            moved.append(key)
    return moved


def _replace_in_rows(tables: dict[str, RowTable], forms, placeholder) -> dict[str, int]:
    counts = {}
    for name, table in tables.items():
        counts[name] = 0
        schema = table.table
        for key in list(table.keys()):
            row = table.get(key)
            new, changed = dict(row), False
            for col in schema.columns:
                value = row[col.name]
                if isinstance(value, str) and any(f in value for f in forms):
                    if col.kind != "text" or col.name in schema.key:
                        raise DataError(Problem(schema.file, None, col.name, f"the text inside {key}'s {col.name}",
                                                "redacting it would break references; change that id or value "
                                                "by hand first, then redact"))
                    new[col.name], n = _replace(value, forms, placeholder)
                    counts[name] += n
                    changed = True
            if changed:
                table.put(key, new)
    return counts


def _redact_file(rel: str, data: bytes, forms, placeholder) -> tuple[bytes, int, Problem | None]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be", "cp1252"):
            if any(f.encode(encoding, "ignore") and f.encode(encoding, "ignore") in data for f in forms):
                return data, 0, Problem(rel, None, None, "the text inside a file that is not UTF-8 text",
                                        "nothing was changed; remove or convert that file, then redact again")
        return data, 0, None
    if not any(f in text for f in forms) and not any(f.replace('"', '""') in text for f in forms):
        return data, 0, None
    if rel.endswith(".csv"):
        new, count = _redact_csv(rel, text, forms, placeholder)
    else:
        new, count = _replace(text, forms, placeholder)
    return new.encode("utf-8"), count, None


def _redact_csv(rel: str, text: str, forms, placeholder) -> tuple[str, int]:
    """Replace cell by cell; keep the delimiter, the line ends and a BOM. Refuse ids and headers."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    delimiter = sniff_delimiter(body.splitlines()[0] if body else "")
    newline = "\r\n" if "\r\n" in body else "\n"
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
    schema = _TABLE_BY_FILE.get(Path(rel).name) if "/" not in rel else None
    header = rows[0] if rows else []
    out, count = io.StringIO(), 0
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    for i, cells in enumerate(rows):
        new_cells = []
        for j, cell in enumerate(cells):
            new, n = _replace(cell, forms, placeholder)
            if n:
                column = header[j] if j < len(header) else f"#{j + 1}"
                col = schema.column(column) if schema and column in schema.column_names else None
                if i == 0 or (col is not None and (col.kind != "text" or column in schema.key)):
                    raise DataError(Problem(rel, i + 1, column, "the text inside " +
                                            ("a column name" if i == 0 else "an id or coded value"),
                                            "redacting it would break the data; change it by hand first, "
                                            "then redact"))
            count += n
            new_cells.append(new)
        writer.writerow(new_cells)
    return bom + out.getvalue(), count


def _redact_log(path: Path, forms, placeholder) -> tuple[bytes, int]:
    """Every complete entry with the text replaced in its values (an incomplete tail is dropped)."""
    entries = read_forward(path).entries
    out, count = [], 0
    for entry in entries:
        data = json.loads(entry.to_json())
        new, n = _replace_in_json(data, forms, placeholder)
        count += n
        out.append(json.dumps(new, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
    return b"".join(out), count


def _replace_in_json(value, forms, placeholder):
    if isinstance(value, str):
        return _replace(value, forms, placeholder)
    if isinstance(value, list):
        pairs = [_replace_in_json(v, forms, placeholder) for v in value]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    if isinstance(value, dict):
        out, count = {}, 0
        for k, v in value.items():
            out[k], n = _replace_in_json(v, forms, placeholder)
            count += n
        return out, count
    return value, 0


def _snapshot(seq: int, coder: str, action: str, frames) -> Entry:
    tables = {name: {"digest": table_digest(frames[name], t), "rows": len(frames[name])}
              for name, t in STORE_TABLES.items()}
    return Entry(seq, seq, 1, utc_now(), coder, action, "snapshot", after={"tables": tables})


def _line(entry: Entry) -> bytes:
    return (entry.to_json() + "\n").encode("utf-8")


def _stage(folder: Path, staged: dict[str, bytes], deleted: list[str]) -> None:
    staging = folder / STAGING_DIR
    shutil.rmtree(staging, ignore_errors=True)
    (staging / _FILES).mkdir(parents=True)
    for rel, data in staged.items():
        target = staging / _FILES / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = atomic._mode_for(folder / rel)
        with open(target, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(target, mode)
    _check_staged(staging / _FILES)
    plan = {"moves": sorted(staged), "delete": deleted}
    ready = staging / (_READY + ".tmp")
    with open(ready, "w", encoding="utf-8") as f:
        json.dump(plan, f)
        f.flush()
        os.fsync(f.fileno())
    atomic._fsync_folder(staging / _FILES)
    os.replace(ready, staging / _READY)
    atomic._fsync_folder(staging)


def _check_staged(files: Path) -> None:
    """Every staged table still splits into cells, and the staged log still reads."""
    from ebm_analysis.reading import read_raw_table

    problems = []
    for path in files.rglob("*.csv"):
        raw, found = read_raw_table(path, path.relative_to(files).as_posix())
        if raw is None:
            problems.extend(found)
    if (files / LOG_FILE).exists():
        read_forward(files / LOG_FILE)
    if problems:
        raise DataError(problems)


def _still_there(folder: Path, forms) -> list[str]:
    encoded = [f.encode("utf-8") for f in forms]
    left = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name != LOCK_FILE:
            data = path.read_bytes()
            if any(e in data for e in encoded):
                left.append(path.relative_to(folder).as_posix())
    return left
