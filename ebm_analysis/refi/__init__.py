"""REFI-QDA interchange (``.qdpx`` projects, ``.qdc`` codebooks).

The export and import functions are public in :mod:`ebm_analysis.interchange`.
This package holds their parts: :mod:`~ebm_analysis.refi.common` (what the
exporter and the importer must agree on: deterministic GUIDs, the labelled
descriptions of codes and sets), :mod:`~ebm_analysis.refi.export`,
:mod:`~ebm_analysis.refi.importer`, and :mod:`~ebm_analysis.refi.describe`
(looking inside a ``.qdpx``: element counts, schema validation, comparison),
:mod:`~ebm_analysis.refi.archive` (reading an archive within limits),
:mod:`~ebm_analysis.refi.target` (where an import writes) and
:mod:`~ebm_analysis.refi.survival` (what survives a trip through other programs).
"""

from ebm_analysis.refi.common import guid
from ebm_analysis.refi.archive import ArchiveLimits
from ebm_analysis.refi.describe import (compare_projects, data_model_coverage, describe_qdpx, importer_checks,
                                        qde_element, qdpx_members, validate_qdpx)
from ebm_analysis.refi.survival import what_survives

__all__ = ["ArchiveLimits", "compare_projects", "data_model_coverage", "describe_qdpx", "guid", "importer_checks",
           "qde_element", "qdpx_members", "validate_qdpx", "what_survives"]
