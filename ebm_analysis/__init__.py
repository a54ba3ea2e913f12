"""ebm-analysis: a reproducible workbench for qualitative analysis of the EBM evaluation.

The public names are re-exported here; each lives in a small topic module:
loading (:mod:`~ebm_analysis.project`), coding (:mod:`~ebm_analysis.coding`),
queries (:mod:`~ebm_analysis.queries`, :mod:`~ebm_analysis.coding_query`,
:mod:`~ebm_analysis.words`), survey (:mod:`~ebm_analysis.survey`),
attendance (:mod:`~ebm_analysis.attendance`), plots (:mod:`ebm_analysis.plotting`), tables for
readers (:mod:`~ebm_analysis.display`), the report (:mod:`ebm_analysis.report`).

Examples
--------
>>> import ebm_analysis as ebm
>>> project = ebm.load_project()
>>> int(ebm.code_by_meeting(project).loc["soft_values"].sum()) > 0
True
"""

from ebm_analysis.agreement import agreement_table, dictionary_agreement
from ebm_analysis.attendance import attendance_bounds, expert_presence, group_over_time
from ebm_analysis.claims import evaluate_claims
from ebm_analysis.changelog import coding_activity, log_table
from ebm_analysis.coding import CodingStore, ConcurrentEditError, LockTimeoutError, SaveError, Transaction
from ebm_analysis.coders import (adjudicate, coder_agreement, coder_copy, coder_disagreements, merge_coder,
                                 seed_consensus)
from ebm_analysis.memos import load_memos, search_memos
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.autocode import dictionary_codings, load_dictionary
from ebm_analysis.cache import clear_cache
from ebm_analysis.figures import save_figure, show_figure
from ebm_analysis.interchange import ArchiveLimits, export_qdc, export_qdpx, import_qdpx
from ebm_analysis.privacy import find_identifiers, scan_folder
from ebm_analysis.project import Project, default_data_dir, load_project
from ebm_analysis.source_check import check_source, quotation_coverage, read_source
from ebm_analysis.coding_query import coding_query
from ebm_analysis.redaction import redact
from ebm_analysis.repair import repair_spans
from ebm_analysis.queries import (code_by_attribute, code_by_meeting, code_frequencies, cooccurrence,
                                  descendants, retrieve, search_text)
from ebm_analysis.words import word_frequencies
from ebm_analysis.coding_query import query_by_meeting, query_passages
from ebm_analysis.queries import compare_searches, meeting_shares, search_forms, text_per_meeting
from ebm_analysis.words import top_words, word_totals
from ebm_analysis.widgets import CodingWidget, ThemeExplorer
from ebm_analysis.survey import grim_consistent, joint_combinations, joint_table, survey_summary
# importing a study's own material (issue 13): import, pseudonymisation, a new data folder
from ebm_analysis.importing.writer import ImportResult, identifiers_left, import_text
from ebm_analysis.newproject import new_project
from ebm_analysis.pseudonymise import pseudonymise, reidentify
from ebm_analysis import display  # the display layer: tables for readers (noqa: E402 — after the names it uses)

__all__ = [
    "ArchiveLimits", "agreement_table", "dictionary_agreement", "dictionary_codings", "export_qdc", "export_qdpx",
    "import_qdpx", "load_dictionary",
    "CodingStore", "CodingWidget", "ThemeExplorer", "ConcurrentEditError", "DataError", "Problem", "Project",
    "attendance_bounds", "check_source", "code_by_attribute", "coding_query", "code_by_meeting", "code_frequencies", "cooccurrence",
    "default_data_dir", "descendants", "evaluate_claims", "expert_presence", "grim_consistent", "group_over_time",
    "joint_combinations", "joint_table", "load_project", "quotation_coverage", "read_source", "retrieve",
    "save_figure", "search_text", "word_frequencies",
    "survey_summary", "show_figure", "display",
    "clear_cache", "find_identifiers", "scan_folder",
    "Transaction", "SaveError", "LockTimeoutError", "log_table", "coding_activity", "repair_spans", "redact",
    "coder_copy", "merge_coder", "coder_disagreements", "seed_consensus", "adjudicate", "coder_agreement",
    "load_memos", "search_memos",
    "query_passages", "query_by_meeting", "meeting_shares", "text_per_meeting", "compare_searches", "search_forms",
    "word_totals", "top_words",
]

# Per-respondent survey answers (issue 13, point 2): import, distributions, the printed means recomputed.
from ebm_analysis.survey import distribution_table, means_check  # noqa: E402
from ebm_analysis.survey_import import import_survey  # noqa: E402

__all__ += ["distribution_table", "import_survey", "means_check"]

__all__ += ["ImportResult", "identifiers_left", "import_text", "new_project", "pseudonymise", "reidentify"]

__version__ = "0.1.0"
