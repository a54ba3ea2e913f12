"""Appendix pages written from the data: the full codebook, the data dictionary, the references."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from ebm_analysis import display
from ebm_analysis.project import Project
from ebm_analysis._index import coding_index
from ebm_analysis.report.notebooks import _Ids, _plain
from ebm_analysis.report.texts import references_html

__all__ = ["codebook_usage", "codebook_page", "data_dictionary_page", "references_page"]

_WORDS = {
    "en": {
        "title_codebook": "The codebook",
        "title_dictionary": "The data dictionary",
        "title_references": "References",
        "codebook_intro": "All {codes} codes of <code>data/codebook.csv</code> ({top} top-level codes, {sub} "
                          "sub-codes; {unused} marked unused), in codebook order, each with its definition, when "
                          "to use it and when not, an example from the corpus, and how often the draft coding "
                          "(coder1) used it. A coding with a sub-code counts for its parent in the analyses "
                          "(\"with sub-codes\"); the direct counts are the code's own codings.",
        "overview": "Overview",
        "entries": "Every code in full",
        "definition": "Definition", "include": "Use when", "exclude": "Do not use when", "example": "Example",
        "use": "Used by coder1",
        "usage": "{seg} segments, {cod} codings directly",
        "usage_tree": "; with its sub-codes {seg} segments, {cod} codings",
        "top": "top-level code", "sub": "sub-code of {parent}", "status": {"active": "active", "unused": "unused", "retired": "retired"},
        "segments": "Segments (with sub-codes)", "codings": "Codings (with sub-codes)",
        "direct_segments": "Segments (directly)", "direct_codings": "Codings (directly)",
        "dictionary_intro": "<code>data/README.md</code> as it stands in the data folder: every file and column, "
                            "the allowed values, the provenance rules (reported / inferred / unknown), the coding "
                            "conventions and decisions, and the contradictions of the report. The table at the "
                            "end counts the rows the loader read from each file.",
        "files": "Files and rows as loaded",
        "references_intro": "Works cited by these pages, the notebooks and the library.",
    },
    "sv": {
        "title_codebook": "Kodboken",
        "title_dictionary": "Databeskrivningen",
        "title_references": "Referenser",
        "codebook_intro": "Alla {codes} koder i <code>data/codebook.csv</code> ({top} överordnade koder, {sub} "
                          "underkoder; {unused} markerade som oanvända), i kodbokens ordning, var och en med "
                          "definition, när den används och när inte, ett exempel ur korpusen och hur ofta "
                          "utkastkodningen (coder1) använde den. En kodning med en underkod räknas för den "
                          "överordnade koden i analyserna (\"med underkoder\"); de direkta antalen är kodens egna "
                          "kodningar. Definitionerna är skrivna på engelska.",
        "overview": "Översikt",
        "entries": "Varje kod i sin helhet",
        "definition": "Definition", "include": "Används när", "exclude": "Används inte när", "example": "Exempel",
        "use": "Använd av coder1",
        "usage": "{seg} segment, {cod} kodningar direkt",
        "usage_tree": "; med underkoder {seg} segment, {cod} kodningar",
        "top": "överordnad kod", "sub": "underkod till {parent}",
        "status": {"active": "används", "unused": "används inte", "retired": "avvecklad"},
        "segments": "Segment (med underkoder)", "codings": "Kodningar (med underkoder)",
        "direct_segments": "Segment (direkt)", "direct_codings": "Kodningar (direkt)",
        "dictionary_intro": "<code>data/README.md</code> som den står i datamappen (på engelska): varje fil och "
                            "kolumn, tillåtna värden, reglerna för ursprung (rapporterat / härlett / okänt), "
                            "kodningens konventioner och beslut samt rapportens motsägelser. Tabellen i slutet "
                            "räknar raderna som inläsningen läste ur varje fil.",
        "files": "Filer och rader som de lästes in",
        "references_intro": "Verk som citeras av dessa sidor, anteckningsböckerna och biblioteket.",
    },
}


def codebook_usage(project: Project) -> pd.DataFrame:
    """Each code with how often the coding uses it, directly and with its sub-codes.

    Returns
    -------
    DataFrame
        The codebook's columns (``code_id``, ``parent_id``, ``name_sv``,
        ``name_en``, ``definition``, ``include``, ``exclude``, ``example``,
        ``color``, ``status``) and ``direct_segments``, ``direct_codings``
        (codings with this very code), ``segments``, ``codings`` (with the
        codings of every sub-code, at any depth), in codebook order.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = codebook_usage(load_project()).set_index("code_id")
    >>> int(t.loc["stress", "direct_codings"]), int(t.loc["stress", "segments"]) > 0
    (0, True)
    """
    codings = project.codings
    book = project.codebook.copy()
    direct = codings.groupby("code_id").agg(direct_codings=("coding_id", "size"),
                                            direct_segments=("segment_id", "nunique"))
    book = book.merge(direct, left_on="code_id", right_index=True, how="left")
    book["codings"], book["segments"] = _subtree_usage(project)
    for column in ("direct_codings", "direct_segments"):
        book[column] = book[column].fillna(0).astype("int64")
    return book.reset_index(drop=True)


def _subtree_usage(project) -> tuple[list[int], list[int]]:
    """Per code in codebook order: codings and distinct segments of the code and its sub-codes.

    Uses the depth-first numbering of the coding index, where a code's
    subtree is one range of numbers, so a deep codebook costs no more than a flat one.
    """
    ix = coding_index(project)
    known = ix.pre_of_coding >= 0
    order = np.argsort(ix.pre_of_coding[known], kind="stable")
    numbers = ix.pre_of_coding[known][order]
    segments = ix.codings["segment_id"].to_numpy(dtype=object)[known][order]
    lo = np.searchsorted(numbers, ix.pre, side="left")
    hi = np.searchsorted(numbers, ix.pre + ix.size, side="left")
    codings = [int(h - l) for l, h in zip(lo, hi)]
    distinct = [len(set(segments[l:h])) if h > l else 0 for l, h in zip(lo, hi)]
    return codings, distinct


def _entry(row: pd.Series, names: dict[str, str], lang: str) -> str:
    w = _WORDS[lang]
    parent = row["parent_id"] if isinstance(row["parent_id"], str) and row["parent_id"] else None
    kind = w["sub"].format(parent=html.escape(names.get(parent, parent))) if parent else w["top"]
    usage = w["usage"].format(seg=row["direct_segments"], cod=row["direct_codings"])
    if row["segments"] != row["direct_segments"] or row["codings"] != row["direct_codings"]:
        usage += w["usage_tree"].format(seg=row["segments"], cod=row["codings"])
    color = row["color"] if isinstance(row["color"], str) and re.fullmatch(r"#[0-9a-fA-F]{6}", row["color"]) else "#999999"
    fields = "".join(f"<dt>{w[key]}</dt><dd lang=\"en\">{html.escape(str(row[key]))}</dd>"
                     for key in ("definition", "include", "exclude"))
    fields += f'<dt>{w["example"]}</dt><dd lang="sv">{html.escape(str(row["example"]))}</dd>'
    fields += f'<dt>{w["use"]}</dt><dd>{usage}</dd>'
    return (f'<section class="ebm-code-entry{" ebm-sub" if parent else ""}" id="code-{html.escape(row["code_id"])}" '
            f'style="--code-color: {color}"><h3 id="h-code-{html.escape(row["code_id"])}">'
            f'{html.escape(row[f"name_{lang}"])} <code class="ebm-id">{html.escape(row["code_id"])}</code></h3>'
            f'<p><span lang="sv">{html.escape(row["name_sv"])}</span> · <span lang="en">{html.escape(row["name_en"])}'
            f"</span> · {kind} · {w['status'].get(row['status'], row['status'])}</p><dl>{fields}</dl></section>")


def codebook_page(project: Project, lang: str) -> tuple[str, str, list[tuple[int, str, str]]]:
    """Title, body and headings of the codebook appendix: an overview table, then every code in full."""
    w = _WORDS[lang]
    usage = codebook_usage(project)
    top = usage["parent_id"].isna() | (usage["parent_id"].astype(str) == "")
    intro = w["codebook_intro"].format(codes=len(usage), top=int(top.sum()), sub=int((~top).sum()),
                                       unused=int((usage["status"] == "unused").sum()))
    names = dict(zip(usage["code_id"], usage[f"name_{lang}"]))
    overview = display.table(
        usage, ["code_id", "parent_id", "status", "direct_segments", "direct_codings", "segments", "codings"],
        codebook=project.codebook, lang=lang,
        labels={"direct_segments": w["direct_segments"], "direct_codings": w["direct_codings"],
                "segments": w["segments"], "codings": w["codings"]})
    entries = "\n".join(_entry(row, names, lang) for _, row in usage.iterrows())
    headings = [(2, "overview", w["overview"]), (2, "codes", w["entries"])]
    headings += [(3, f"h-code-{c}", names[c]) for c, t in zip(usage["code_id"], top) if t]
    body = (f"<p>{intro}</p>\n<h2 id=\"overview\">{w['overview']}</h2>\n{overview.to_html()}\n"
            f"<h2 id=\"codes\">{w['entries']}</h2>\n{entries}")
    return w["title_codebook"], body, headings


def data_dictionary_page(project: Project, readme: Path, lang: str) -> tuple[str, str, list[tuple[int, str, str]]]:
    """Title, body and headings of the data dictionary: ``data/README.md`` rendered, and the rows loaded per file."""
    w = _WORDS[lang]
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    text = re.sub(r"\A# [^\n]*\n", "", text)          # its title becomes the page's
    ids, headings = _Ids(), []
    ids.new("files-loaded")

    def heading(match: re.Match) -> str:
        level, inner = int(match.group(1)), match.group(3)
        anchor = ids.new(_plain(inner))
        headings.append((level, anchor, _plain(inner)))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    body = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", markdown2html_mistune(text), flags=re.DOTALL)
    body = re.sub(r"<h([1-6])([^>]*)>(.*?)</h\1>", heading, body, flags=re.DOTALL)
    summary = display.table(project.summary(), lang=lang)
    headings = [h for h in headings if h[0] <= 3] + [(2, "files-loaded", w["files"])]
    page = (f"<p>{w['dictionary_intro']}</p>\n<div class=\"ebm-prose\" lang=\"en\">{body}</div>\n"
            f"<h2 id=\"files-loaded\">{w['files']}</h2>\n{summary.to_html()}")
    return w["title_dictionary"], page, headings


def references_page(lang: str) -> tuple[str, str, list[tuple[int, str, str]]]:
    """Title, body and (no) headings of the references."""
    w = _WORDS[lang]
    return w["title_references"], f"<p>{w['references_intro']}</p>\n{references_html()}", []
