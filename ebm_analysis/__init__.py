"""ebm-analysis: a reproducible workbench for qualitative analysis of the EBM evaluation."""

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.project import Project, load_project

__all__ = ["DataError", "Problem", "Project", "load_project"]
__version__ = "0.1.0"
