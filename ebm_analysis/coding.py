"""The coding store: add, remove, recode and annotate codings, and grow the codebook.

A :class:`CodingStore` holds the codebook (``codebook.csv``) and the codings
(``codings.csv``) of one data folder. Every change is checked first (an
unknown segment or code, offsets outside the text, ... raise
:class:`~ebm_analysis.errors.DataError` and change nothing) and then saved at
once, atomically, with the previous file kept in ``.versions/`` (see
:mod:`ebm_analysis.atomic`). :meth:`CodingStore.undo` takes back the last
change and saves that too.

Two programs must not overwrite each other's work: the store remembers what
the files held when it loaded or last saved them, and if another kernel or
program has changed either file since, saving raises
:class:`ConcurrentEditError` instead of overwriting. Reload with
:meth:`CodingStore.reload` (or ``CodingStore.open(folder)``) and redo the
change.

Offsets ``start``/``end`` are Python character offsets into the segment's
``text_sv`` (``end`` exclusive): ``text_sv[start:end]`` is the coded text.
Both empty means the whole segment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ebm_analysis.atomic import frame_to_csv_text, write_text_atomic
from ebm_analysis.errors import DataError, Problem, shorten
from ebm_analysis.project import Project, load_project
from ebm_analysis.schema import TABLES_BY_NAME

__all__ = ["CodingStore", "ConcurrentEditError", "next_coding_id"]

CODINGS = TABLES_BY_NAME["codings"]
CODEBOOK = TABLES_BY_NAME["codebook"]


class ConcurrentEditError(DataError):
    """Another kernel or program changed a file since this store read it.

    Nothing was saved. Reload the store and redo the change.
    """

    def __init__(self, file: str, folder: Path):
        super().__init__(Problem(
            file, None, None,
            "that another kernel or program changed it since this coding store loaded or last saved it",
            "nothing was saved, so neither version was lost; reload with `store.reload()` "
            f"(or `CodingStore.open({str(folder)!r})`) to see the other changes, then redo your change"))


@dataclass(frozen=True)
class _Snapshot:
    description: str
    codings: pd.DataFrame
    codebook: pd.DataFrame


def next_coding_id(codings: pd.DataFrame) -> str:
    """The next free coding id: one more than the highest ``K`` number in the table.

    Gaps left by removed codings are not filled, so ids keep their order of
    creation (only the id of a removed *last* coding can come back).

    Examples
    --------
    >>> next_coding_id(pd.DataFrame({"coding_id": ["K0001", "K0007"]}))
    'K0008'
    >>> next_coding_id(pd.DataFrame({"coding_id": pd.Series([], dtype="string")}))
    'K0001'
    """
    numbers = codings["coding_id"].astype("string").str.extract(r"^K(\d+)$", expand=False).dropna()
    top = int(numbers.astype(int).max()) if len(numbers) else 0
    return f"K{top + 1:04d}"


class CodingStore:
    """Codebook and codings of one data folder, saved safely after every change.

    Create with :meth:`CodingStore.open`.

    Attributes
    ----------
    folder : Path
        The data folder.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> from ebm_analysis.project import BUNDLED_DATA
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "data"
    >>> _ = shutil.copytree(BUNDLED_DATA, folder, ignore=shutil.ignore_patterns(".versions", "*.bak"))
    >>> store = CodingStore.open(folder)
    >>> store.add_code("demo_code", "Demo", "Demo", definition="d", include="i",
    ...                exclude="e", example="x")
    >>> cid = store.add("O001", "demo_code", "R1", start=0, end=3)
    >>> store.codings.set_index("coding_id").loc[cid, "end"]
    np.int64(3)
    >>> store.undo()
    'add coding ...'
    """

    def __init__(self, project: Project):
        self.folder = Path(project.path)
        self._project = project
        self._codings = project.codings.copy()
        self._codebook = project.codebook.copy()
        self._texts = dict(zip(project.segments()["segment_id"], project.segments()["text_sv"]))
        self._history: list[_Snapshot] = []
        self._fingerprints = {t.file: _fingerprint(self.folder / t.file) for t in (CODINGS, CODEBOOK)}

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path | None = None) -> CodingStore:
        """Load and validate a data folder (see :func:`~ebm_analysis.project.load_project`).

        Parameters
        ----------
        path : str or Path, optional
            The data folder; None means the bundled EBM data.

        Returns
        -------
        CodingStore

        Raises
        ------
        DataError
            When any file of the folder has a problem.

        Examples
        --------
        >>> store = CodingStore.open()
        >>> list(store.codings.columns)
        ['coding_id', 'segment_id', 'code_id', 'coder', 'start', 'end', 'memo']
        """
        return cls(load_project(path))

    def reload(self) -> None:
        """Read both files again from disk, dropping the undo history.

        Examples
        --------
        >>> store = CodingStore.open()
        >>> store.reload()
        """
        self.__init__(load_project(self.folder))

    # ------------------------------------------------------------ views

    @property
    def codings(self) -> pd.DataFrame:
        """A copy of the codings: ``coding_id``, ``segment_id``, ``code_id``,
        ``coder``, ``start``, ``end`` (``Int64``, empty = whole segment), ``memo``."""
        return self._codings.copy()

    @property
    def codebook(self) -> pd.DataFrame:
        """A copy of the codebook, with the columns of ``codebook.csv``."""
        return self._codebook.copy()

    @property
    def project(self) -> Project:
        """The project as loaded, with the current codebook and codings (for queries)."""
        tables = dict(self._project.tables, codings=self.codings, codebook=self.codebook)
        return Project(self.folder, tables)

    @property
    def history(self) -> list[str]:
        """Descriptions of the changes that :meth:`undo` can take back, oldest first."""
        return [s.description for s in self._history]

    # ------------------------------------------------------------ changes

    def add(self, segment_id: str, code_id: str, coder: str, start: int | None = None,
            end: int | None = None, memo: str = "") -> str:
        """Code a segment (or the span ``text_sv[start:end]`` of it) and save.

        Parameters
        ----------
        segment_id : str
            An ``excerpt_id`` or ``note_id``.
        code_id : str
            A code of the codebook.
        coder : str
            Who codes (initials or a pseudonym).
        start, end : int, optional
            Character offsets into ``text_sv``, ``end`` exclusive; leave both
            out to code the whole segment.
        memo : str, default ""
            A note on this coding.

        Returns
        -------
        str
            The new coding id (``K####``).

        Raises
        ------
        DataError
            Unknown segment or code, offsets outside the text, an empty
            coder, or the same code already on the same span. Nothing changes.
        ConcurrentEditError
            The files changed on disk since they were loaded.

        Examples
        --------
        >>> store = CodingStore.open()
        >>> store.add("NO_SUCH", "x", "R1")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 2 problems in the data:
        ...
        """
        problems = [*self._check_segment(segment_id), *self._check_code(code_id, "code_id"),
                    *_check_text("coder", coder)]
        if not problems:
            problems += self._check_span(segment_id, start, end)
        if not problems:
            problems += self._check_duplicate(segment_id, code_id, start, end)
        _raise_if(problems)
        coding_id = next_coding_id(self._codings)
        row = {"coding_id": coding_id, "segment_id": segment_id, "code_id": code_id,
               "coder": coder.strip(), "start": start, "end": end, "memo": (memo or "").strip() or None}
        new = pd.concat([self._codings, _one_row(CODINGS, row)], ignore_index=True)
        self._commit(f"add coding {coding_id} ({code_id} on {segment_id})", codings=new)
        return coding_id

    def remove(self, coding_id: str) -> None:
        """Delete a coding and save.

        Raises
        ------
        DataError
            When there is no such coding.

        Examples
        --------
        >>> CodingStore.open().remove("K999999")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 1 problem in the data:
          - codings.csv, column 'coding_id': found 'K999999', which is not a coding; ...
        """
        i = self._row(coding_id)
        new = self._codings.drop(index=i).reset_index(drop=True)
        self._commit(f"remove coding {coding_id}", codings=new)

    def recode(self, coding_id: str, new_code_id: str) -> None:
        """Move a coding to another code (same segment, span and memo) and save.

        Raises
        ------
        DataError
            When the coding or the code does not exist.

        Examples
        --------
        >>> CodingStore.open().recode("K999999", "x")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: ...
        """
        i = self._row(coding_id)
        _raise_if(list(self._check_code(new_code_id, "code_id")))
        if self._codings.at[i, "code_id"] == new_code_id:
            return
        new = self._codings.copy()
        new.loc[i, "code_id"] = new_code_id
        self._commit(f"recode {coding_id} to {new_code_id}", codings=new)

    def set_memo(self, coding_id: str, memo: str) -> None:
        """Replace a coding's memo (``""`` clears it) and save.

        Examples
        --------
        >>> CodingStore.open().set_memo("K999999", "note")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: ...
        """
        i = self._row(coding_id)
        new = self._codings.copy()
        new.loc[i, "memo"] = (memo or "").strip() or pd.NA
        self._commit(f"set memo of {coding_id}", codings=new)

    def add_code(self, code_id: str, name_sv: str, name_en: str, parent_id: str | None = None, *,
                 definition: str, include: str, exclude: str, example: str,
                 color: str | None = None) -> None:
        """Add a code to the codebook (status ``active``) and save.

        Parameters
        ----------
        code_id : str
            Lower-case letters, digits and ``_``, starting with a letter.
        name_sv, name_en : str
            The code's name in Swedish and English.
        parent_id : str, optional
            An existing code to place this one under; None for a top-level code.
        definition, include, exclude, example : str
            The codebook entry: what the code means, what to code with it,
            what not to, and an example.
        color : str, optional
            ``#RRGGBB``.

        Raises
        ------
        DataError
            Id taken or malformed, unknown parent, an empty text, a bad colour.

        Examples
        --------
        >>> CodingStore.open().add_code("Bad Id", "n", "n", definition="d",
        ...                             include="i", exclude="e", example="x")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 1 problem in the data:
          - codebook.csv, column 'code_id': found 'Bad Id'; ...
        """
        texts = {"name_sv": name_sv, "name_en": name_en, "definition": definition,
                 "include": include, "exclude": exclude, "example": example}
        problems = [*self._check_new_code_id(code_id), *_check_color(color)]
        if parent_id is not None:
            problems += self._check_code(parent_id, "parent_id", file=CODEBOOK.file)
        for column, value in texts.items():
            problems += _check_text(column, value, file=CODEBOOK.file)
        _raise_if(problems)
        row = {"code_id": code_id, "parent_id": parent_id, "color": color, "status": "active",
               **{k: v.strip() for k, v in texts.items()}}
        new = pd.concat([self._codebook, _one_row(CODEBOOK, row)], ignore_index=True)
        self._commit(f"add code {code_id}", codebook=new)

    def undo(self) -> str:
        """Take back the last change and save.

        Returns
        -------
        str
            What was undone, e.g. ``"add coding K0012 (trust on E004)"``.

        Raises
        ------
        DataError
            When there is nothing to undo in this session.

        Examples
        --------
        >>> CodingStore.open().undo()
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 1 problem in the data:
          - (project): nothing to undo: no change has been made since the store was opened
        """
        if not self._history:
            raise DataError("nothing to undo: no change has been made since the store was opened")
        last = self._history[-1]
        codings = last.codings if not last.codings.equals(self._codings) else None
        codebook = last.codebook if not last.codebook.equals(self._codebook) else None
        self._save(codings=codings, codebook=codebook)
        self._history.pop()
        return last.description

    # ------------------------------------------------------------ saving

    def _commit(self, description: str, codings: pd.DataFrame | None = None,
                codebook: pd.DataFrame | None = None) -> None:
        before = _Snapshot(description, self._codings, self._codebook)
        self._save(codings=codings, codebook=codebook)
        self._history.append(before)

    def _save(self, codings: pd.DataFrame | None = None, codebook: pd.DataFrame | None = None) -> None:
        """Check neither file changed on disk, then write the changed ones (codebook first)."""
        for file, expected in self._fingerprints.items():
            if _fingerprint(self.folder / file) != expected:
                raise ConcurrentEditError(file, self.folder)
        for table, frame in ((CODEBOOK, codebook), (CODINGS, codings)):
            if frame is None:
                continue
            text = frame_to_csv_text(frame[table.column_names])
            write_text_atomic(self.folder / table.file, text)
            self._fingerprints[table.file] = _digest(text.encode("utf-8"))
            if table is CODINGS:
                self._codings = frame
            else:
                self._codebook = frame

    # ------------------------------------------------------------ checks

    def _row(self, coding_id: str) -> int:
        hits = self._codings.index[self._codings["coding_id"] == coding_id]
        if len(hits) == 0:
            raise DataError(Problem(CODINGS.file, None, "coding_id", f"'{coding_id}', which is not a coding",
                                    "expected a coding_id from the codings table (store.codings)"))
        return int(hits[0])

    def _check_segment(self, segment_id: str):
        if segment_id not in self._texts:
            yield Problem(CODINGS.file, None, "segment_id", f"'{segment_id}', which is neither an excerpt_id nor a note_id",
                          "expected an id from excerpts.csv (E...) or observations.csv (O...)")

    def _check_code(self, code_id: str | None, column: str, file: str = CODINGS.file):
        known = set(self._codebook["code_id"])
        if code_id not in known:
            yield Problem(file, None, column, f"'{code_id}', which codebook.csv does not list",
                          f"expected a code_id of the codebook ({_shorten(sorted(known))}); "
                          "add new codes with store.add_code(...)")

    def _check_span(self, segment_id: str, start, end):
        text = self._texts[segment_id]
        if start is None and end is None:
            return
        if start is None or end is None:
            yield Problem(CODINGS.file, None, "start" if start is None else "end", "only one of start and end",
                          "give both start and end, or leave both out to code the whole segment")
        elif not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            yield Problem(CODINGS.file, None, "start", f"start {start!r}, end {end!r}",
                          "expected whole numbers (character offsets into text_sv)")
        elif not 0 <= start < end <= len(text):
            yield Problem(CODINGS.file, None, "end", f"start {start}, end {end}",
                          f"expected 0 <= start < end <= {len(text)} (the length of {segment_id}'s text_sv)")

    def _check_duplicate(self, segment_id, code_id, start, end):
        c = self._codings
        same = (c["segment_id"] == segment_id) & (c["code_id"] == code_id)
        same &= c["start"].isna() if start is None else (c["start"] == start) & (c["end"] == end)
        hits = c.loc[same.fillna(False), "coding_id"]
        if len(hits):
            yield Problem(CODINGS.file, None, "code_id", f"'{code_id}' already on this span of {segment_id} ({hits.iloc[0]})",
                          "expected each code once per span; edit the existing coding instead")

    def _check_new_code_id(self, code_id: str):
        if not isinstance(code_id, str) or not re.fullmatch(CODEBOOK.column("code_id").pattern, code_id):
            yield Problem(CODEBOOK.file, None, "code_id", f"'{code_id}'",
                          "expected lower-case letters, digits and _, starting with a letter, e.g. soft_values")
        elif code_id in set(self._codebook["code_id"]):
            yield Problem(CODEBOOK.file, None, "code_id", f"'{code_id}', which the codebook already has",
                          "choose a new code_id, or use the existing code")


# ---------------------------------------------------------------- helpers

def _check_text(column: str, value, file: str = CODINGS.file):
    if not isinstance(value, str) or not value.strip():
        yield Problem(file, None, column, "an empty value", f"{column} needs a text")


def _check_color(color):
    if color is not None and not (isinstance(color, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", color)):
        yield Problem(CODEBOOK.file, None, "color", f"'{color}'", "expected a colour as #RRGGBB, e.g. #1f77b4")


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise DataError(problems)


def _one_row(table, row: dict) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.array([row.get(c.name)], dtype=c.dtype) for c in table.columns})


def _shorten(values, n=8) -> str:
    return shorten(values, n) if len(values) else "the codebook is empty"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fingerprint(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes())
    except FileNotFoundError:
        return None
