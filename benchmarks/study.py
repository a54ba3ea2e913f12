"""A SYNTHETIC interview study at the scale of a real one, in the project's own data format.

``make_study(folder)`` writes a complete data folder that ``load_project``
accepts: 200 interviews, about 2 million Swedish-like words in 40,000
segments, 100 codes in three levels (10 themes, 30 sub-codes, 60
sub-sub-codes) and 50,000 codings of which 30 % code a whole segment. It is
deterministic (one seed gives the same bytes) and every row says it is
synthetic (``section`` is ``synthetic study (benchmarks/study.py)``,
``text_en`` is ``(synthetic)``). Nothing here comes from the EBM report.

The benchmarks import it (``from study import make_study`` with
``benchmarks/`` on ``sys.path``); the signature is shared by
``bench_load.py`` and the query benchmarks, so keep it stable.

Run it alone to write a study folder::

    python benchmarks/study.py /tmp/study
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ebm_analysis.spans import covered_text
from ebm_analysis.atomic import frame_to_csv_text, write_text_atomic  # noqa: E402
from ebm_analysis.schema import ROLES, TABLES  # noqa: E402

SEED = 20151101
SYNTHETIC = "synthetic study (benchmarks/study.py)"
#: A word that is guaranteed to occur, for search benchmarks.
KEYWORD = "tillit"

_SYLLABLES = ("sam", "tal", "et", "vå", "ga", "män", "sk", "lig", "tr", "äff", "ar", "för", "li", "te", "tid",
              "sor", "g", "stöd", "hjä", "lp", "möt", "en", "kun", "skap", "e", "rfa", "ren", "het", "ö",
              "gon", "blick", "ung", "dom", "ans", "var", "kär", "lek", "å", "ter", "bo", "rätt", "ning")
_PREFIX = {"social_secretary": "SS", "lvm_case_officer": "LVM", "service_user_mentor": "BM",
           "expert_social_secretary": "SK"}
_ROLE_SV = {"social_secretary": "socialsekreterare", "lvm_case_officer": "LVM-handläggare",
            "service_user_mentor": "brukarmentor", "expert_social_secretary": "sakkunnig socialsekreterare"}


def make_study(folder: str | Path, n_interviews: int = 200, *, n_segments: int = 40_000,
               n_words: int = 2_000_000, n_codings: int = 50_000, whole_share: float = 0.3,
               coders: tuple[str, ...] = ("coder1", "coder2"), seed: int = SEED) -> Path:
    """Write a synthetic study into ``folder`` (created; it must not hold files).

    Parameters
    ----------
    folder : str or Path
        The data folder to write.
    n_interviews : int, default 200
        Interviews, one interviewee each (``participants.csv`` has one row per
        interviewee; roles cycle through the four roles of the schema).
    n_segments : int, default 40,000
        Segments (rows of ``excerpts.csv``, source type ``interview``), spread
        evenly over the interviews.
    n_words : int, default 2,000,000
        Words in all segments together (segments vary from half to one and a
        half times the mean length).
    n_codings : int, default 50,000
        Codings; ``whole_share`` of them code a whole segment, the others a
        span of 3 to 40 words that starts and ends on word boundaries.
        Codes are drawn from all three levels; a segment never has the same
        code twice from the same coder on the same span.
    whole_share : float, default 0.3
    coders : tuple of str, default ("coder1", "coder2")
        Coder ids, used in turn.
    seed : int
        The random seed; the same arguments always write the same bytes.

    Returns
    -------
    Path
        ``folder``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> folder = make_study(pathlib.Path(tempfile.mkdtemp()) / "study", n_interviews=4,
    ...                     n_segments=40, n_words=2_000, n_codings=50)
    >>> project = load_project(folder)
    >>> len(project.excerpts), len(project.codebook), len(project.codings)
    (40, 100, 50)
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} already holds files; make_study writes into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    participants = _participants(n_interviews)
    excerpts = _excerpts(rng, participants, n_segments, n_words)
    codebook = _codebook()
    codings = _codings(rng, excerpts, codebook, n_codings, whole_share, coders)
    tables = {"meetings": _meetings(), "participants": participants,
              "attendance": _attendance(rng, participants), "excerpts": excerpts,
              "codebook": codebook, "codings": codings}
    for table in TABLES:
        if table.optional and table.name not in tables:
            continue
        frame = tables.get(table.name)
        if frame is None:
            frame = pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in table.columns})
        frame = frame[table.column_names]
        write_text_atomic(folder / table.file, frame_to_csv_text(frame), keep_previous=False)
    return folder


# ---------------------------------------------------------------- tables

def _meetings() -> pd.DataFrame:
    n = 8
    return pd.DataFrame({
        "meeting": pd.array(range(1, n + 1), dtype="Int64"),
        "month": [f"{2015 + (8 + k) // 12}-{(8 + k) % 12 + 1:02d}" for k in range(n)],
        "month_basis": "reported", "month_reasoning": "(synthetic)",
        "theme_sv": [f"Tema {k}" for k in range(1, n + 1)], "theme_en": [f"Theme {k}" for k in range(1, n + 1)],
        "theme_narrative_sv": None, "observed": "yes", "observed_table": None,
        "observed_reasoning": "(synthetic)", "talked_about_sv": "(syntetisk)", "talked_about_en": "(synthetic)",
        "other_topics_sv": "(syntetisk)", "other_topics_en": "(synthetic)", "section": SYNTHETIC})


def _participants(n: int) -> pd.DataFrame:
    roles = [ROLES[k % len(ROLES)] for k in range(n)]
    counters: dict[str, int] = {}
    ids = []
    for role in roles:
        counters[role] = counters.get(role, 0) + 1
        ids.append(f"{_PREFIX[role]}{counters[role]}")
    return pd.DataFrame({
        "participant_id": ids, "role": roles, "role_sv": [_ROLE_SV[r] for r in roles],
        "joined_meeting": pd.array([1] * n, dtype="Int64"), "joined_basis": "reported",
        "left_project": "no", "left_basis": "reported", "answered_survey": "unknown",
        "tenure_at_start": "unknown", "introduction_track": "unknown",
        "note": "(synthetic interviewee)", "section": SYNTHETIC})


def _attendance(rng: np.random.Generator, participants: pd.DataFrame) -> pd.DataFrame:
    people = participants["participant_id"].to_numpy()
    person = np.repeat(people, 8)
    meeting = np.tile(np.arange(1, 9), len(people))
    present = rng.random(len(person)) < 0.8
    return pd.DataFrame({
        "participant_id": person, "meeting": pd.array(meeting, dtype="Int64"),
        "status": np.where(present, "present", "absent"), "basis": "reported",
        "reasoning": "(synthetic)", "section": SYNTHETIC})


def _vocabulary(rng: np.random.Generator, n: int = 6000) -> np.ndarray:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYLLABLES, size=int(rng.integers(1, 5)))))
    words.discard(KEYWORD)
    # Short words are the frequent ones, as in natural language (Zipf weights follow this order).
    return np.array(sorted(words, key=lambda w: (len(w), w))[: n - 1] + [KEYWORD])


def _excerpts(rng: np.random.Generator, participants: pd.DataFrame, n_segments: int,
              n_words: int) -> pd.DataFrame:
    vocab = _vocabulary(rng)
    weights = 1 / np.arange(1, len(vocab) + 1)          # Zipf-like word frequencies
    weights[-1] = weights[200]                           # the keyword is a common-ish word
    weights /= weights.sum()
    mean = n_words / n_segments
    lengths = np.maximum(1, np.round(rng.uniform(0.5 * mean, 1.5 * mean, size=n_segments))).astype(int)
    lengths[-1] = max(1, lengths[-1] + n_words - int(lengths.sum()))
    words = vocab[rng.choice(len(vocab), size=int(lengths.sum()), p=weights)]
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    texts = []
    for k in range(n_segments):
        chunk = words[bounds[k]:bounds[k + 1]]
        text = " ".join(chunk)
        texts.append(text[:1].upper() + text[1:] + ".")
    speakers = participants["participant_id"].to_numpy()
    roles = participants["role"].to_numpy()
    interview = np.arange(n_segments) * len(speakers) // n_segments
    meeting = rng.integers(1, 9, size=n_segments).astype(object)
    meeting[rng.random(n_segments) >= 0.8] = None
    return pd.DataFrame({
        "excerpt_id": [f"E{k + 1:06d}" for k in range(n_segments)], "source_type": "interview",
        "speaker_role": roles[interview], "speaker_id": speakers[interview],
        "speaker_group": [f"G{i % 5}" for i in interview],
        "meeting": pd.array(meeting, dtype="Int64"), "text_sv": texts, "text_en": "(synthetic)",
        "section": SYNTHETIC, "note": None})


def _codebook() -> pd.DataFrame:
    rows = []
    for t in range(10):
        rows.append((f"theme_{t}", None))
        for s in range(3):
            rows.append((f"theme_{t}_{s}", f"theme_{t}"))
            for u in range(2):
                rows.append((f"theme_{t}_{s}_{u}", f"theme_{t}_{s}"))
    book = pd.DataFrame(rows, columns=["code_id", "parent_id"])
    book["name_sv"] = "tema " + book["code_id"].str.slice(6)
    book["name_en"] = "theme " + book["code_id"].str.slice(6)
    for column in ("definition", "include", "exclude", "example"):
        book[column] = f"(synthetic {column})"
    book["color"] = None
    book["status"] = "active"
    return book


def _codings(rng: np.random.Generator, excerpts: pd.DataFrame, codebook: pd.DataFrame, n: int,
             whole_share: float, coders: tuple[str, ...]) -> pd.DataFrame:
    texts = excerpts["text_sv"].tolist()
    codes = codebook["code_id"].to_numpy()
    seen: set[tuple] = set()
    rows = []
    while len(rows) < n:
        seg = int(rng.integers(0, len(texts)))
        code = str(codes[int(rng.integers(0, len(codes)))])
        coder = coders[len(rows) % len(coders)]
        if rng.random() < whole_share:
            start = end = None
        else:
            start, end = _word_span(rng, texts[seg])
        key = (seg, code, coder, start, end)
        if key in seen:
            continue
        seen.add(key)
        rows.append(key)
    memo = np.where(rng.random(n) < 0.05, "(synthetic memo)", None)
    texts = excerpts["text_sv"].to_numpy()
    return pd.DataFrame({
        "coding_id": [f"K{k + 1:05d}" for k in range(n)],
        "segment_id": excerpts["excerpt_id"].to_numpy()[[r[0] for r in rows]],
        "code_id": [r[1] for r in rows], "coder": [r[2] for r in rows],
        "start": pd.array([r[3] for r in rows], dtype="Int64"),
        "end": pd.array([r[4] for r in rows], dtype="Int64"), "memo": memo,
        # what the coding store writes: the covered text (so the loader checks every span) and who/when
        "span_text": [covered_text(str(texts[r[0]]), r[3], r[4]) for r in rows],
        "created_at": "2026-01-01T00:00:00Z", "created_by": [r[2] for r in rows]})


def _word_span(rng: np.random.Generator, text: str) -> tuple[int, int]:
    """A span of 3–40 words (fewer in a short text) on word boundaries, as character offsets."""
    starts = [0] + [k + 1 for k, ch in enumerate(text) if ch == " "]
    n_words = len(starts)
    size = min(int(rng.integers(3, 41)), n_words)
    first = int(rng.integers(0, n_words - size + 1))
    last = first + size - 1
    end = starts[last + 1] - 1 if last + 1 < n_words else len(text)
    return starts[first], end


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python benchmarks/study.py FOLDER")
    out = make_study(sys.argv[1])
    print(f"wrote a synthetic study to {out}")
