"""The shape of every table in a project's data folder.

One :class:`Table` per file, one :class:`Column` per column. The loader
(:mod:`ebm_analysis.project`) validates files against these specifications,
and ``data/README.md`` documents the same columns for researchers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = (
    "social_secretary",
    "lvm_case_officer",
    "service_user_mentor",
    "expert_social_secretary",
)
BASIS = ("reported", "inferred")
#: Attendance statuses. ``not_yet_member`` / ``no_longer_member``: the person had not
#: yet joined the project, or had left it, so their not being there is no absence.
ATTENDANCE_STATUSES = ("present", "absent", "unknown", "not_yet_member", "no_longer_member")
#: What kind of disagreement a row of contradictions.csv records (see data/README.md).
CONTRADICTION_KINDS = ("contradiction", "inconsistent_wording", "inconsistent_precision",
                       "inconsistent_numbers", "claim_vs_numbers", "pseudonymisation_slip")
#: Verdicts on a claim the report makes about its own numbers (claims.csv).
CLAIM_VERDICTS = ("supported", "not supported", "impossible", "cannot tell")
#: How a claim is tested against the survey table (ebm_analysis.claims).
CLAIM_TESTS = ("group_higher", "all_agree", "means_consistent", "goals_met")
MEETINGS = (1, 8)
LIKERT = (1, 4)
#: Widest answer scale a survey item may have (e.g. 0-10, or -3 to 3).
SCALE_LIMITS = (-100, 100)
#: A respondent's pseudonym: capital letters, then digits (R01, SS1).
RESPONDENT_PATTERN = r"[A-Z]{1,6}\d{1,6}"
#: A respondent group: lower case snake case; ``all_respondents`` is reserved for the pooled column.
GROUP_PATTERN = r"(?!all_respondents\Z)[a-z][a-z0-9_]{0,39}"

#: pandas dtype used for each column kind.
DTYPES = {
    "id": "string",
    "text": "string",
    "choice": "string",
    "int": "Int64",
    "decimal_text": "string",
    "color": "string",
}


@dataclass(frozen=True)
class Column:
    """One column of a data table.

    Parameters
    ----------
    name : str
        Column name, as written in the header row.
    kind : str
        One of ``id``, ``text``, ``choice``, ``int``, ``decimal_text``
        (a number as printed, with a decimal comma or point, kept as text),
        ``color`` (``#RRGGBB``).
    required : bool
        Whether an empty cell is a problem.
    choices : tuple of str, optional
        Allowed values for ``choice`` columns.
    bounds : tuple of (int, int), optional
        Inclusive range for ``int`` and ``decimal_text`` columns.
    references : tuple of (str, str), optional
        ``(table, column)`` that every non-empty value must exist in.
    pattern : str, optional
        Regular expression an ``id`` must match in full.
    description : str
        What the column holds, in the researcher's words.
    may_be_absent : bool
        Whether a file may lack the column altogether (it then reads as
        empty): for columns added after files were already in use, such as
        the coding store's ``span_text``, ``created_at``, ``created_by``.
    """

    name: str
    kind: str = "text"
    required: bool = True
    choices: tuple[str, ...] | None = None
    bounds: tuple[int, int] | None = None
    references: tuple[str, str] | None = None
    pattern: str | None = None
    description: str = ""
    may_be_absent: bool = False

    @property
    def dtype(self) -> str:
        return DTYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One table of the project, stored in one file of the data folder."""

    name: str
    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False
    description: str = ""
    extra_checks: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _section(required: bool = True) -> Column:
    return Column("section", "text", required, description="the report section the row comes from (provenance)")


def _basis(required: bool = True, allow_empty: bool = False) -> Column:
    return Column("basis", "choice", required and not allow_empty, choices=BASIS,
                  description="reported (the report states it) or inferred (reasoned from it)")


MEETING = Column("meeting", "int", True, bounds=MEETINGS, references=("meetings", "meeting"),
                 description="meeting number, 1 to 8")
OPTIONAL_MEETING = Column("meeting", "int", False, bounds=MEETINGS, references=("meetings", "meeting"),
                          description="meeting number 1 to 8, empty when the report does not place it")

TABLES: tuple[Table, ...] = (
    Table("meetings", "meetings.csv", (
        Column("meeting", "int", bounds=MEETINGS, description="meeting number, 1 to 8"),
        Column("month", "text", pattern=r"\d{4}-(0[1-9]|1[0-2])", description="a month written YYYY-MM, e.g. 2015-11"),
        Column("month_basis", "choice", choices=BASIS),
        Column("month_reasoning", "text"),
        Column("theme_sv", "text", description="theme as printed in the overview table"),
        Column("theme_en", "text"),
        Column("theme_narrative_sv", "text", False, description="theme as named in the narrative, if it differs"),
        Column("observed", "choice", choices=("yes", "no", "unclear")),
        Column("observed_table", "text", False, description="'Ej observerad' where the overview table says so"),
        Column("observed_reasoning", "text"),
        Column("talked_about_sv", "text"), Column("talked_about_en", "text"),
        Column("other_topics_sv", "text"), Column("other_topics_en", "text"),
        _section(),
    ), key=("meeting",), description="one row per meeting"),
    Table("participants", "participants.csv", (
        Column("participant_id", "id", pattern=r"(SS|LVM|BM|SK)\d+",
               description="a pseudonym such as SS1, LVM1, BM1 or SK1"),
        Column("role", "choice", choices=ROLES),
        Column("role_sv", "text"),
        Column("joined_meeting", "int", bounds=MEETINGS, references=("meetings", "meeting")),
        Column("joined_basis", "choice", choices=BASIS),
        Column("left_project", "choice", choices=("yes", "no", "unknown")),
        Column("left_basis", "choice", False, choices=BASIS),
        Column("answered_survey", "choice", choices=("yes", "no", "unknown")),
        Column("tenure_at_start", "choice", choices=("under_3_months", "6_months_to_2_years", "unknown", "not_applicable")),
        Column("introduction_track", "choice", choices=("parallel_with_ordinary_introduction", "complement_to_earlier_introduction", "unknown", "not_applicable")),
        Column("note", "text", False),
        _section(),
    ), key=("participant_id",), description="one row per person in the project"),
    Table("cohort_facts", "cohort_facts.csv", (
        Column("fact_id", "id", pattern=r"F\d+", description="an id such as F1"),
        Column("role", "choice", choices=ROLES),
        Column("attribute", "text"), Column("value", "text"),
        Column("count", "int", bounds=(0, 100)),
        Column("basis", "choice", choices=BASIS),
        Column("statement_sv", "text"), Column("reasoning", "text", False),
        _section(),
    ), key=("fact_id",), description="group-level facts that the report does not tie to a person"),
    Table("attendance", "attendance.csv", (
        Column("participant_id", "id", references=("participants", "participant_id")),
        MEETING,
        Column("status", "choice", choices=ATTENDANCE_STATUSES),
        Column("basis", "choice", False, choices=BASIS, description="reported or inferred; empty when status is unknown"),
        Column("reasoning", "text"),
        _section(False),
    ), key=("participant_id", "meeting"), description="one row per person x meeting",
        extra_checks=("basis_matches_status", "every_person_and_meeting", "membership_statuses")),
    Table("attendance_counts", "attendance_counts.csv", (
        MEETING,
        Column("role", "choice", choices=ROLES),
        Column("present_min", "int", bounds=(0, 100)),
        Column("present_max", "int", bounds=(0, 100)),
        Column("basis", "choice", choices=BASIS),
        Column("statement_sv", "text"), Column("reasoning", "text", False),
        _section(),
    ), key=("meeting", "role"), description="how many of a role were present, where the report says so",
        extra_checks=("min_le_max", "counts_match_statuses")),
    Table("advice", "advice.csv", (
        Column("advice_id", "id", pattern=r"A\d+", description="an id such as A01"), MEETING,
        Column("advice_sv", "text"), Column("advice_en", "text"), _section(),
    ), key=("advice_id",), description="the mentors' advice per meeting (overview table)"),
    Table("contract", "contract.csv", (
        Column("clause_id", "id", pattern=r"C\d+", description="an id such as C1"),
        Column("heading_sv", "text"), Column("heading_en", "text"),
        Column("text_sv", "text"), Column("text_en", "text"), _section(),
    ), key=("clause_id",), description="the mentorship contract written at meeting 1"),
    Table("excerpts", "excerpts.csv", (
        Column("excerpt_id", "id", pattern=r"E\d+", description="an id such as E001"),
        Column("source_type", "choice", choices=("interview", "survey_comment", "meeting", "document")),
        Column("speaker_role", "choice", choices=(*ROLES, "unknown", "not_a_participant")),
        Column("speaker_id", "id", False, references=("participants", "participant_id")),
        Column("speaker_group", "text", False),
        OPTIONAL_MEETING,
        Column("text_sv", "text", description="verbatim Swedish"),
        Column("text_en", "text", description="English translation"),
        _section(),
        Column("note", "text", False),
    ), key=("excerpt_id",), description="quotations from participants"),
    Table("observations", "observations.csv", (
        Column("note_id", "id", pattern=r"O\d+", description="an id such as O001"), MEETING,
        Column("basis", "choice", choices=("observed", "retold", "unclear")),
        Column("text_sv", "text"), Column("text_en", "text"), _section(),
        Column("note", "text", False),
    ), key=("note_id",), description="segments of the report's account of each meeting"),
    Table("contradictions", "contradictions.csv", (
        Column("contradiction_id", "id", pattern=r"X\d+", description="an id such as X1"),
        Column("kind", "choice", choices=CONTRADICTION_KINDS,
               description="what kind of disagreement: contradiction, inconsistent_wording, ..."),
        Column("topic_en", "text"),
        Column("reading_a_sv", "text", description="the report's words, verbatim; passages separated by ' / '"),
        Column("reading_a_en", "text", description="English, with where in the report"),
        Column("reading_a_section", "text"),
        Column("reading_b_sv", "text", description="the report's words, verbatim; passages separated by ' / '"),
        Column("reading_b_en", "text", description="English, with where in the report"),
        Column("reading_b_section", "text"),
        Column("how_kept_en", "text", description="how the data keeps both readings"),
        Column("affects", "text", description="the tables concerned, separated by ';'"),
    ), key=("contradiction_id",), description="places where the report contradicts itself"),
    Table("survey_items", "survey_items.csv", (
        Column("item", "id", pattern=r"S\d+", description="an id such as S1"),
        Column("statement_sv", "text"), Column("statement_en", "text"),
        Column("contract_goal_sv", "text", False), Column("contract_goal_en", "text", False),
        Column("link_basis", "choice", choices=BASIS), Column("link_reasoning", "text"),
        _section(),
        # Added with per-respondent answers (issue 13); older files may lack them.
        Column("scale_min", "int", False, bounds=SCALE_LIMITS, may_be_absent=True,
               description="the lowest answer on the statement's scale, e.g. 1"),
        Column("scale_max", "int", False, bounds=SCALE_LIMITS, may_be_absent=True,
               description="the highest answer on the statement's scale, e.g. 4"),
    ), key=("item",), description="survey statements and the contract goal each tests",
        extra_checks=("item_scales",)),
    Table("survey_means", "survey_means.csv", (
        Column("item", "id", references=("survey_items", "item")),
        Column("group", "choice", choices=("social_secretaries", "all_respondents")),
        Column("mean_printed", "decimal_text", bounds=LIKERT, description="the mean exactly as printed, e.g. 3,14"),
        Column("n_min", "int", bounds=(1, 100)), Column("n_max", "int", bounds=(1, 100)),
        Column("n_likely", "int", bounds=(1, 100)),
        Column("n_basis", "choice", choices=BASIS), Column("n_reasoning", "text"),
        _section(),
    ), key=("item", "group"), description="the reported survey means, as printed",
        extra_checks=("n_range",)),
    Table("claims", "claims.csv", (
        Column("claim_id", "id", pattern=r"CL\d+", description="an id such as CL1"),
        Column("quote_sv", "text", description="the claim in the report's words, verbatim"),
        Column("quote_en", "text"),
        _section(),
        Column("test", "choice", choices=CLAIM_TESTS, description="how the claim is tested against the survey table"),
        Column("items", "text", description="the survey items tested, separated by ';' (e.g. S2; S3)"),
        Column("group", "choice", choices=("social_secretaries", "all_respondents", "both"),
               description="the column(s) of the survey table the claim is about"),
        Column("reading_en", "text", description="how the claim is read against the table (our reading)"),
    ), key=("claim_id",), optional=True,
        description="claims the report makes about its own survey numbers, tested by ebm_analysis.claims"),
    Table("rendering_differences", "rendering_differences.csv", (
        Column("difference_id", "id", pattern=r"R\d+", description="an id such as R01"),
        Column("source", "text", description="the file name of the rendering that prints source_sv"),
        Column("source_sv", "text", description="the text as that rendering prints it"),
        Column("stored_sv", "text", description="the text as data/ stores it (following the other rendering)"),
        Column("follows", "text", description="the file name of the rendering the stored text follows"),
        _section(),
        Column("where", "text", description="the rows of data/ that hold the text (file and ids)"),
        Column("note", "text", False),
    ), key=("difference_id",), optional=True,
        description="where the two renderings of the report differ in text that data/ stores"),
    Table("quotations_left_out", "quotations_left_out.csv", (
        Column("quote_sv", "text", description="a quotation of the report's findings, verbatim"),
        _section(),
        Column("why_en", "text", description="why it is not stored in data/"),
    ), key=("quote_sv",), optional=True,
        description="quotations in the report's findings deliberately not stored, with why"),
    Table("survey_responses", "survey_responses.csv", (
        Column("respondent_id", "id", pattern=RESPONDENT_PATTERN,
               description="a pseudonym such as R01 or SS1 (capital letters, then digits; never a name)"),
        Column("group", "id", pattern=GROUP_PATTERN,
               description="the respondent's group in lower case, such as social_secretaries or "
                           "service_user_mentors (all_respondents is kept for the pooled column)"),
        Column("item", "id", references=("survey_items", "item")),
        Column("answer", "int", bounds=SCALE_LIMITS,
               description="the answer, a whole number on the item's scale (scale_min to scale_max "
                           "in survey_items.csv)"),
        Column("source", "text", description="the file the answer was imported from (its name, no folder), "
                                              "or where a hand-entered answer comes from (provenance)"),
        Column("source_sha256", "id", False, pattern=r"[0-9a-f]{64}", may_be_absent=True,
               description="SHA-256 of the source file's bytes, 64 hexadecimal digits"),
        Column("source_row", "int", False, bounds=(1, 10**9), may_be_absent=True,
               description="the line (CSV) or row (spreadsheet) of the source holding the answer; "
                           "the header is 1"),
        Column("source_column", "text", False, may_be_absent=True,
               description="the column of the source holding the answer"),
    ), key=("respondent_id", "item"), optional=True,
        description="per-respondent answers (the EBM report has none; import them with import-survey)",
        extra_checks=("answers_on_item_scale", "one_group_per_respondent")),
    Table("codebook", "codebook.csv", (
        Column("code_id", "id", pattern=r"[a-z][a-z0-9_]*",
               description="a code id of lower-case letters, digits and _, such as soft_values"),
        Column("parent_id", "id", False, references=("codebook", "code_id")),
        Column("name_sv", "text"), Column("name_en", "text"),
        Column("definition", "text"), Column("include", "text"), Column("exclude", "text"),
        Column("example", "text"),
        Column("color", "color", False),
        Column("status", "choice", choices=("active", "unused", "retired"),
               description="active; unused (named, no segment carries it); retired (merged or withdrawn: hidden "
                           "from the code pickers, still valid in old codings)"),
    ), key=("code_id",), description="the codes", extra_checks=("no_cycles",)),
    Table("codings", "codings.csv", (
        Column("coding_id", "id", pattern=r"K\d+", description="an id such as K0001"),
        Column("segment_id", "id", description="an excerpt_id or a note_id"),
        Column("code_id", "id", references=("codebook", "code_id")),
        Column("coder", "id"),
        Column("start", "int", False, bounds=(0, 10**9)),
        Column("end", "int", False, bounds=(0, 10**9)),
        Column("memo", "text", False),
        # Written by the coding store (ebm_analysis.coding); older files may lack them.
        Column("span_text", "text", False, may_be_absent=True,
               description="the text the span covers, text_sv[start:end], so that an edited text is noticed"),
        Column("created_at", "text", False, pattern=r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z",
               may_be_absent=True, description="when the coding was made, UTC, e.g. 2016-03-01T14:05:00Z"),
        Column("created_by", "id", False, may_be_absent=True, description="who made the coding (a coder id)"),
    ), key=("coding_id",), description="codes applied to segments",
        extra_checks=("segment_exists", "offsets_in_text", "no_duplicate_codings")),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
