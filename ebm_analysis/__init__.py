"""ebm-analysis: a reproducible workbench for qualitative analysis of the EBM evaluation.

The public names are re-exported here; each lives in a small topic module:
loading (:mod:`~ebm_analysis.project`), coding (:mod:`~ebm_analysis.coding`),
queries (:mod:`~ebm_analysis.queries`, :mod:`~ebm_analysis.coding_query`,
:mod:`~ebm_analysis.words`), survey (:mod:`~ebm_analysis.survey`),
attendance (:mod:`~ebm_analysis.attendance`), plots (:mod:`ebm_analysis.plotting`), tables for
readers (:mod:`~ebm_analysis.display`), the report (:mod:`ebm_analysis.report`).

The names are loaded on first use (:pep:`562`), so that ``import
ebm_analysis`` and the command line start fast: a name's module (and what it
needs, e.g. matplotlib or ipywidgets) is imported when the name is first
looked up.

Examples
--------
>>> import ebm_analysis as ebm
>>> project = ebm.load_project()
>>> int(ebm.code_by_meeting(project).loc["soft_values"].sum()) > 0
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Where each public name lives: module (under ``ebm_analysis``) -> names.
_MODULES: dict[str, tuple[str, ...]] = {
    "agreement": ("agreement_table", "dictionary_agreement"),
    "attendance": ("attendance_bounds", "expert_presence", "group_over_time"),
    "autocode": ("dictionary_codings", "load_dictionary"),
    "cache": ("clear_cache",),
    "changelog": ("coding_activity", "log_table"),
    "claims": ("evaluate_claims",),
    "coders": ("adjudicate", "coder_agreement", "coder_copy", "coder_disagreements", "merge_coder",
               "seed_consensus"),
    "coding": ("CodingStore", "ConcurrentEditError", "LockTimeoutError", "SaveError", "Transaction"),
    "coding_query": ("coding_query", "query_by_meeting", "query_passages"),
    "errors": ("DataError", "Problem"),
    "figures": ("save_figure", "show_figure"),
    "importing.writer": ("ImportResult", "identifiers_left", "import_text"),
    "interchange": ("ArchiveLimits", "export_qdc", "export_qdpx", "import_qdpx"),
    "memos": ("load_memos", "search_memos"),
    "newproject": ("new_project",),
    "privacy": ("find_identifiers", "scan_folder"),
    "project": ("Project", "default_data_dir", "load_project"),
    "pseudonymise": ("pseudonymise", "reidentify"),
    "queries": ("code_by_attribute", "code_by_meeting", "code_frequencies", "compare_searches", "cooccurrence",
                "descendants", "meeting_shares", "retrieve", "search_forms", "search_text", "text_per_meeting"),
    "redaction": ("redact",),
    "repair": ("repair_spans",),
    "source_check": ("check_source", "quotation_coverage", "read_source"),
    "survey": ("distribution_table", "grim_consistent", "joint_combinations", "joint_table", "means_check",
               "survey_summary"),
    "survey_import": ("import_survey",),
    "widgets": ("CodingWidget", "ThemeExplorer"),
    "words": ("top_words", "word_frequencies", "word_totals"),
}
#: Submodules offered as names of the package.
_SUBMODULES = ("display",)   # the display layer: tables for readers

_WHERE = {name: module for module, names in _MODULES.items() for name in names}
__all__ = sorted([*_WHERE, *_SUBMODULES])
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (:pep:`562`)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:   # for type checkers and editors, which do not run __getattr__
    from ebm_analysis import display  # noqa: F401
    from ebm_analysis.agreement import agreement_table, dictionary_agreement  # noqa: F401
    from ebm_analysis.attendance import attendance_bounds, expert_presence, group_over_time  # noqa: F401
    from ebm_analysis.autocode import dictionary_codings, load_dictionary  # noqa: F401
    from ebm_analysis.cache import clear_cache  # noqa: F401
    from ebm_analysis.changelog import coding_activity, log_table  # noqa: F401
    from ebm_analysis.claims import evaluate_claims  # noqa: F401
    from ebm_analysis.coders import (adjudicate, coder_agreement, coder_copy, coder_disagreements,  # noqa: F401
                                     merge_coder, seed_consensus)
    from ebm_analysis.coding import (CodingStore, ConcurrentEditError, LockTimeoutError, SaveError,  # noqa: F401
                                     Transaction)
    from ebm_analysis.coding_query import coding_query, query_by_meeting, query_passages  # noqa: F401
    from ebm_analysis.errors import DataError, Problem  # noqa: F401
    from ebm_analysis.figures import save_figure, show_figure  # noqa: F401
    from ebm_analysis.importing.writer import ImportResult, identifiers_left, import_text  # noqa: F401
    from ebm_analysis.interchange import ArchiveLimits, export_qdc, export_qdpx, import_qdpx  # noqa: F401
    from ebm_analysis.memos import load_memos, search_memos  # noqa: F401
    from ebm_analysis.newproject import new_project  # noqa: F401
    from ebm_analysis.privacy import find_identifiers, scan_folder  # noqa: F401
    from ebm_analysis.project import Project, default_data_dir, load_project  # noqa: F401
    from ebm_analysis.pseudonymise import pseudonymise, reidentify  # noqa: F401
    from ebm_analysis.queries import (code_by_attribute, code_by_meeting, code_frequencies,  # noqa: F401
                                      compare_searches, cooccurrence, descendants, meeting_shares, retrieve,
                                      search_forms, search_text, text_per_meeting)
    from ebm_analysis.redaction import redact  # noqa: F401
    from ebm_analysis.repair import repair_spans  # noqa: F401
    from ebm_analysis.source_check import check_source, quotation_coverage, read_source  # noqa: F401
    from ebm_analysis.survey import (distribution_table, grim_consistent, joint_combinations,  # noqa: F401
                                     joint_table, means_check, survey_summary)
    from ebm_analysis.survey_import import import_survey  # noqa: F401
    from ebm_analysis.widgets import CodingWidget, ThemeExplorer  # noqa: F401
    from ebm_analysis.words import top_words, word_frequencies, word_totals  # noqa: F401
