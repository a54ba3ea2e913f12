"""What survives a trip through another QDA program, part by part of the EBM project.

:func:`what_survives` is the table shown in notebook 05 and in
``docs/interchange.md`` (a test keeps the two equal). Each cell says what is
known and how it is known:

- **tested** — QualCoder: its own REFI-QDA import and export (source of
  ccbogel/QualCoder, commit c320464 of 22 August 2026) run on our export outside
  this repository, and a model of both in the test suite
  (``tests/qualcoder_form.py``, ``tests/test_refi_qualcoder.py``);
- **documented** — what the program's manual says (NVivo's page on the REFI-QDA
  Standard lists the items it transfers);
- **reported** — what others reported in public issue trackers;
- **not documented** — nothing found; check after importing.

Nothing here is a guess presented as a fact: a cell that is not tested says so.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["what_survives", "survival_markdown", "TOOLS", "SOURCES"]

#: The programs compared, in column order.
TOOLS = ("QualCoder", "NVivo", "ATLAS.ti", "MAXQDA")

NOT_DOCUMENTED = "not documented; check after import"

#: (part of the EBM project, how the export writes it, QualCoder, NVivo, ATLAS.ti, MAXQDA)
ROWS = (
    ("codes and their hierarchy", "Code, nested",
     "kept (tested: 34 codes, 20 nested); code names must be unique, a second code of the same name is merged "
     "into the first",
     "kept (documented: codes)", NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("code definition, include, exclude, example, Swedish name, code id",
     "the code's Description, as labelled lines",
     "kept as the code's memo; restored exactly by import-qdpx (tested)",
     "codes documented, their descriptions not", NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("code colours", "Code color",
     "changed to the nearest colour of QualCoder's palette (tested: all 34)",
     "kept when 'Import code colors' is ticked (documented)", NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("segment texts (Swedish) and their ids (E001, O001)", "one TextSource per segment, named by its id, text "
     "in sources/<guid>.txt",
     "kept exactly (tested: 79 sources, every coded span the same characters)",
     "kept (documented: data files)", NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("kind of segment, speaker role and id, meeting, English translation, report section",
     "source variables (VariableValue on each TextSource)",
     "kept as file attributes, the meeting as a number; restored by import-qdpx (tested)",
     "classifications documented; variables on sources not tested", NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("the meetings table (meetings.csv)", "the Description of each meeting's Set",
     "Sets become file attributes that keep the description; import-qdpx restores all 8 meetings from it (tested)",
     "sets transferred 'with exceptions' (documented)", NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("groups of segments by kind and by meeting", "Set with MemberSource",
     "become file attributes named after the set (tested)", "sets transferred 'with exceptions' (documented)",
     NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("participants and their attributes (participants.csv)", "Case with VariableValue (own variable names)",
     "kept as cases with case attributes (tested: 11 cases); restored by import-qdpx", "kept (documented: cases, "
     "classifications)", NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("who said which quotation", "Case SourceRef, and the speaker_id source variable",
     "the case-source links are not read; kept through speaker_id (tested)", NOT_DOCUMENTED, NOT_DOCUMENTED,
     NOT_DOCUMENTED),
    ("codings and their character offsets", "PlainTextSelection with a Coding",
     "kept (tested: 142 of 142, offsets exact)", "coding transferred 'with some exceptions' (documented)",
     NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("the coder of each coding", "User; creatingUser on selection and coding",
     "kept as the coding's owner (tested); sources owned by the first coder", NOT_DOCUMENTED, NOT_DOCUMENTED,
     NOT_DOCUMENTED),
    ("coding memos", "the selection's Description, and a Note linked from the Coding",
     "kept from the Description (tested: 57 of 57, there and back)",
     "memos and memo links documented; which of the two forms is read, not", NOT_DOCUMENTED,
     "comments on coded segments travel as the selection's Description (reported: QualCoder issue #491)"),
    ("coding ids (K0001, ...)", "the selection's name",
     "replaced by the coded text; import-qdpx numbers codings again (tested)", NOT_DOCUMENTED, NOT_DOCUMENTED,
     NOT_DOCUMENTED),
    ("coding of a whole segment", "a selection of the whole text, marked in its name",
     "kept as a selection of the whole text; import-qdpx reads that as a whole-segment coding again (tested)",
     NOT_DOCUMENTED, NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("when a coding was made", "creationDateTime (created_at, else a fixed date)",
     "kept as the coding's date (tested)", NOT_DOCUMENTED, NOT_DOCUMENTED, NOT_DOCUMENTED),
    ("attendance, survey, advice, contract, contradictions, cohort facts", "not exported (REFI-QDA has no place "
     "for them)", "lost", "lost", "lost", "lost"),
)

#: Where the cells come from.
SOURCES = (
    ("QualCoder", "src/qualcoder/refi.py of ccbogel/QualCoder (LGPL), read, and run on our export (commit c320464)"),
    ("NVivo", "NVivo help, 'REFI-QDA Standard for project exchange' (NVivo 12 for Mac, and the same page for "
              "Windows): items transferred and limitations"),
    ("MAXQDA", "QualCoder issue #491 (MAXQDA coding comments arrive as selection descriptions); QualCoder's "
               "importer notes that MAXQDA writes file variables in unnamed Cases"),
    ("ATLAS.ti", "no public documentation of what its REFI-QDA import keeps was found"),
)


def what_survives() -> pd.DataFrame:
    """What of the EBM project survives a trip through QualCoder, NVivo, ATLAS.ti and MAXQDA.

    Returns
    -------
    DataFrame
        One row per part of the project: ``part``, ``exported_as`` (where our
        export writes it), then one column per program of :data:`TOOLS`, each
        saying what is kept and how that is known (tested, documented,
        reported, or not documented).

    Examples
    --------
    >>> table = what_survives()
    >>> list(table.columns)
    ['part', 'exported_as', 'QualCoder', 'NVivo', 'ATLAS.ti', 'MAXQDA']
    >>> table.set_index("part").loc["coding memos", "QualCoder"]
    'kept from the Description (tested: 57 of 57, there and back)'
    """
    return pd.DataFrame(ROWS, columns=["part", "exported_as", *TOOLS], dtype="string")


def survival_markdown() -> str:
    """:func:`what_survives` as a Markdown table (for ``docs/interchange.md``).

    Examples
    --------
    >>> survival_markdown().splitlines()[0]
    '| part of the project | exported as | QualCoder | NVivo | ATLAS.ti | MAXQDA |'
    """
    table = what_survives()
    head = ["part of the project", "exported as", *TOOLS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |")
    return "\n".join(lines)
