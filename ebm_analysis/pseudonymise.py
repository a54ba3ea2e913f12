"""Pseudonymisation before anything is stored: names and identifiers replaced by stable pseudonyms.

What is replaced, in every imported text:

- the speakers of the speaker map (their label, e.g. ``Anna Berg``, and each
  part of a label that looks like a name, e.g. ``Anna`` and ``Berg``, when no
  other speaker shares it) by their pseudonym (``[BM1]``, ``[SS3]``, ...);
- the names of a names list (``--names FILE``: one name a line, optionally
  ``,ID`` after it to give a participant's id, e.g. ``Lisa Ek,SS3``), by the
  participant's pseudonym or else ``[PERSON1]``, ``[PERSON2]``, ...;
- what the identifier scan (:mod:`ebm_analysis.privacy`) finds: personal
  identity numbers (``[PNR1]``), phone numbers (``[PHONE1]``) and e-mail
  addresses (``[EMAIL1]``).

Names are matched ignoring case (parts of a speaker's name only with their
capital, since ``Berg`` or ``Sand`` are also words) and with a Swedish genitive ``s``
(``Annas`` becomes ``[BM1]s``). The same original always gets the same
pseudonym, across files and imports, because the key is read back and
extended, never rebuilt.

The key
-------
The key (``--key KEY.csv``: columns ``pseudonym``, ``original``, ``kind``)
is the only link back to the persons. It is written OUTSIDE the data folder
(a key inside it is refused: the data folder is what gets shared, committed
and archived), readable by its owner only (mode 600). :func:`reidentify`
reverses the replacement with it; a pseudonym that several originals share
(``Anna Berg`` and ``Anna`` are both ``[BM1]``) comes back as the first one
listed, the speaker map's label.

Named-entity recognition (finding names that no list gives) is not done: no
maintained Swedish-capable NER package whose model installs from PyPI as a
package was found (spaCy's Swedish models and Stanza's are downloaded from
elsewhere at run time, which this project does not do). List the names.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from ebm_analysis import atomic
from ebm_analysis.errors import DataError, Problem, excerpt, printable
from ebm_analysis.privacy import _findings, normalise

__all__ = ["KEY_COLUMNS", "build_key", "name_patterns", "pseudonymise", "reidentify", "read_key", "write_key", "read_names_list",
           "refuse_inside"]

KEY_COLUMNS = ["pseudonym", "original", "kind"]
#: Pseudonym prefixes for what the identifier scan finds.
SCAN_PREFIX = {"personnummer": "PNR", "possible personnummer": "PNR", "phone": "PHONE", "email": "EMAIL"}
REPLACEMENT_COLUMNS = ["kind", "original", "pseudonym", "offset", "context"]
_NAME_KINDS = ("speaker", "speaker name part", "name")


def _empty_key() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="string") for c in KEY_COLUMNS})


def refuse_inside(path: str | Path, data_dir: str | Path, what: str) -> None:
    """Refuse a file holding real names that lies inside the data folder.

    Examples
    --------
    >>> refuse_inside("/tmp/x/data/key.csv", "/tmp/x/data", "the pseudonym key")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - key.csv: found the pseudonym key inside the data folder; ...
    """
    target, folder = Path(os.path.abspath(path)), Path(os.path.abspath(data_dir))
    resolved = Path(os.path.realpath(path))
    if target.is_relative_to(folder) or resolved.is_relative_to(Path(os.path.realpath(data_dir))):
        raise DataError(Problem(printable(Path(path).name, 200), None, None, f"{what} inside the data folder",
                                f"keep {what} outside the data folder (it holds real names, and the data folder is "
                                "what is shared and archived), e.g. in a folder only you can read"))


def read_key(path: str | Path) -> pd.DataFrame:
    """The pseudonym key (an empty one when the file does not exist yet).

    Raises
    ------
    DataError
        When the file is not a key (columns), or a pseudonym is malformed.
    """
    from ebm_analysis.reading import parse_table

    path = Path(path)
    if not path.exists():
        return _empty_key()
    rt, problems = parse_table(path.read_bytes(), path.name)
    if rt is None:
        raise DataError(problems)
    if rt.header[:3] != KEY_COLUMNS:
        raise DataError(Problem(path.name, 1, None, f"the columns {', '.join(rt.header)}",
                                f"expected a pseudonym key with the columns {', '.join(KEY_COLUMNS)}"))
    rows = [cells[:3] for cells in rt.cells]
    for line, cells in zip(rt.lines, rows):
        if not re.fullmatch(r"\[[A-Za-z][A-Za-z0-9_-]{0,29}\]", cells[0]) or not cells[1].strip():
            raise DataError(Problem(path.name, line, "pseudonym", excerpt(cells[0]),
                                    "expected a pseudonym such as [BM1] and the original beside it"))
    return pd.DataFrame(rows, columns=KEY_COLUMNS).astype("string") if rows else _empty_key()


def write_key(path: str | Path, key: pd.DataFrame, data_dir: str | Path) -> Path:
    """Write the key atomically, outside ``data_dir``, readable by its owner only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> key = build_key({}, [("Lisa Ek", None)])
    >>> write_key(home / "key.csv", key, home / "data").name
    'key.csv'
    >>> oct((home / "key.csv").stat().st_mode & 0o777)
    '0o600'
    """
    refuse_inside(path, data_dir, "the pseudonym key")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    atomic.write_text_atomic(path, atomic.frame_to_csv_text(key[KEY_COLUMNS]), keep_previous=False)
    os.chmod(path, 0o600)
    return path


def read_names_list(path: str | Path) -> list[tuple[str, str | None]]:
    """A names list: one name a line, optionally ``,ID`` (a participant id); ``#`` starts a comment.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "names.txt"
    >>> _ = p.write_text("# kolleger\\nLisa Ek,SS3\\nOlle\\n", encoding="utf-8")
    >>> read_names_list(p)
    [('Lisa Ek', 'SS3'), ('Olle', None)]
    """
    from ebm_analysis.importing.blocks import decode_text

    path = Path(path)
    out = []
    for number, line in enumerate(decode_text(path.read_bytes(), path.name).splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, pid = (part.strip() for part in line.partition(","))
        if pid and not re.fullmatch(r"(SS|LVM|BM|SK)\d+", pid):
            raise DataError(Problem(path.name, number, None, excerpt(pid),
                                    "expected a name, optionally followed by a comma and a participant id such as SS3"))
        if len(name) < 2:
            raise DataError(Problem(path.name, number, None, excerpt(name) or "an empty name",
                                    "expected a name of at least two letters"))
        out.append((" ".join(name.split()), pid or None))
    return out


def _add(key_rows: list[list[str]], pseudonym: str, original: str, kind: str) -> str:
    """The pseudonym of ``original`` (an existing one if the key has it, ignoring case)."""
    for p, o, _ in key_rows:
        if o.lower() == original.lower() and (kind in _NAME_KINDS) == (_ in _NAME_KINDS):
            return p
    key_rows.append([pseudonym, original, kind])
    return pseudonym


def _next(key_rows: list[list[str]], prefix: str) -> str:
    used = {p for p, _, _ in key_rows}
    n = 1
    while f"[{prefix}{n}]" in used:
        n += 1
    return f"[{prefix}{n}]"


def build_key(speakers: dict, names: list[tuple[str, str | None]] | None = None,
              existing: pd.DataFrame | None = None) -> pd.DataFrame:
    """The key extended with the speakers and the names list (existing pseudonyms kept).

    Parameters
    ----------
    speakers : dict of str to Speaker
        The speaker map (:func:`ebm_analysis.importing.speakers.read_speaker_map`).
    names : list of (name, participant id or None), optional
        The names list (:func:`read_names_list`).
    existing : DataFrame, optional
        The key so far (:func:`read_key`).

    Returns
    -------
    DataFrame
        Columns ``pseudonym``, ``original``, ``kind`` (speaker, speaker name
        part, name, personnummer, phone, email).

    Examples
    --------
    >>> from ebm_analysis.importing.speakers import Speaker
    >>> key = build_key({"anna berg": Speaker("Anna Berg", "BM1", "service_user_mentor", "[BM1]")}, [("Olle", None)])
    >>> key.values.tolist()
    [['[BM1]', 'Anna Berg', 'speaker'], ['[BM1]', 'Anna', 'speaker name part'], ['[BM1]', 'Berg', 'speaker name part'], ['[PERSON1]', 'Olle', 'name']]
    """
    rows = [] if existing is None else [list(r) for r in existing[KEY_COLUMNS].itertuples(index=False)]
    labels = [s.label for s in speakers.values()]
    parts: dict[str, list[str]] = {}
    for speaker in speakers.values():
        _add(rows, speaker.pseudonym, speaker.label, "speaker")
        words = speaker.label.split()
        if len(words) > 1 and all(w[:1].isupper() for w in words):
            for word in words:
                parts.setdefault(word.lower(), []).append(speaker.pseudonym)
    for speaker in speakers.values():
        for word in speaker.label.split():
            owners = parts.get(word.lower(), [])
            if len(set(owners)) == 1 and len(word) >= 3 and word.lower() not in (l.lower() for l in labels):
                _add(rows, owners[0], word, "speaker name part")
    for name, pid in names or []:
        _add(rows, f"[{pid}]" if pid else _next(rows, "PERSON"), name, "name")
    return pd.DataFrame(rows, columns=KEY_COLUMNS).astype("string") if rows else _empty_key()


def _name_pattern(originals: list[str], ignore_case: bool = True) -> re.Pattern | None:
    originals = sorted({normalise(o) for o in originals if o.strip()}, key=len, reverse=True)
    if not originals:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, originals))})(?=s?(?!\w))",
                      re.IGNORECASE if ignore_case else 0)


def name_patterns(key: pd.DataFrame) -> list[re.Pattern]:
    """The patterns that find the key's names: whole names ignoring case, parts of names only capitalised.

    A part of a speaker's name (``Berg``, ``Lund``, ``Sand``) is often also an
    ordinary word (berg, lund, sand); it is matched only as written, with its
    capital.

    Examples
    --------
    >>> key = build_key({}, [("Anna Berg", "SS1")])
    >>> [bool(p.search("ANNA BERG")) for p in name_patterns(key)]
    [True]
    """
    rows = list(key[KEY_COLUMNS].itertuples(index=False))
    whole = _name_pattern([o for _, o, k in rows if k in ("speaker", "name")])
    parts = _name_pattern([o for _, o, k in rows if k == "speaker name part"], ignore_case=False)
    return [p for p in (whole, parts) if p is not None]


def pseudonymise(text: str, key: pd.DataFrame, *, scan: bool = True) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Replace every name of the key and every identifier the scan finds with its pseudonym.

    Parameters
    ----------
    text : str
    key : DataFrame
        The key (:func:`build_key`); identifiers found by the scan are added to it.
    scan : bool
        Also replace personal identity numbers, phone numbers and e-mail addresses.

    Returns
    -------
    text : str
        The pseudonymised text.
    replacements : DataFrame
        One row per replacement: ``kind``, ``original`` (as written),
        ``pseudonym``, ``offset`` (in the original text), ``context``
        (up to 30 characters either side, the original in «»).
    key : DataFrame
        The key, with any new identifiers added.

    Examples
    --------
    >>> key = build_key({}, [("Lisa Ek", "SS3")])
    >>> new, done, key = pseudonymise("Ring Lisa Eks mobil 070-123 45 67.", key)
    >>> new
    'Ring [SS3]s mobil [PHONE1].'
    >>> reidentify(new, key)
    'Ring Lisa Eks mobil 070-123 45 67.'
    """
    rows = [list(r) for r in key[KEY_COLUMNS].itertuples(index=False)]
    by_name = {normalise(o).lower(): p for p, o, k in rows if k in _NAME_KINDS}
    plain = normalise(text)
    spans: list[tuple[int, int, str, str]] = []
    for rx in name_patterns(key):
        spans += [(m.start(), m.end(), "name", by_name[m.group(0).lower()]) for m in rx.finditer(plain)]
    if scan:
        for start, end, kind in _findings(plain, None):
            while end > start and text[end - 1].isspace():
                end -= 1
            while start < end and text[start].isspace():
                start += 1
            original = text[start:end]
            pseudonym = next((p for p, o, k in rows if o == original and k == kind), None)
            if pseudonym is None:
                pseudonym = _add(rows, _next(rows, SCAN_PREFIX[kind]), original, kind)
            spans.append((start, end, kind, pseudonym))
    kept, last = [], -1
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if span[0] >= last:
            kept.append(span)
            last = span[1]
    out, done, at = [], [], 0
    for start, end, kind, pseudonym in kept:
        out.append(text[at:start] + pseudonym)
        context = (text[max(0, start - 30):start] + "«" + text[start:end] + "»" + text[end:end + 30]).replace("\n", " ")
        done.append((kind, text[start:end], pseudonym, start, context))
        at = end
    out.append(text[at:])
    new_key = pd.DataFrame(rows, columns=KEY_COLUMNS).astype("string") if rows else _empty_key()
    replacements = pd.DataFrame(done, columns=REPLACEMENT_COLUMNS).astype(
        {"kind": "string", "original": "string", "pseudonym": "string", "offset": "int64", "context": "string"})
    return "".join(out), replacements, new_key


def reidentify(text: str, key: pd.DataFrame) -> str:
    """Put the originals back for the pseudonyms of ``key``.

    A pseudonym that several originals share comes back as the first one
    the key lists (for a speaker, the speaker map's label).

    Examples
    --------
    >>> key = pd.DataFrame([["[BM1]", "Anna Berg", "speaker"]], columns=KEY_COLUMNS)
    >>> reidentify("[BM1] sa hej; [BM2] svarade.", key)
    'Anna Berg sa hej; [BM2] svarade.'
    """
    first: dict[str, str] = {}
    for p, o in zip(key["pseudonym"], key["original"]):
        first.setdefault(str(p), str(o))
    if not first:
        return text
    rx = re.compile("|".join(map(re.escape, sorted(first, key=len, reverse=True))))
    return rx.sub(lambda m: first[m.group(0)], text)
