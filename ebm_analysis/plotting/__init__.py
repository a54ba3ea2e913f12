"""Plots for the EBM analysis (matplotlib; each function returns its Figure)."""
