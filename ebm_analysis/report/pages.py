"""The page template: navigation, contents list, build stamp and citation on every page.

Pages are plain HTML with the styles inline: no scripts, nothing loaded from
the network, readable offline and printable (the same pages, joined, are
printed to the report's PDF by :mod:`ebm_analysis.report.pdf`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ebm_analysis.report.stamp import BuildStamp
from ebm_analysis.report.texts import citation_html, stamp_text, ui

__all__ = ["Page", "STYLE", "render_page", "contents_html", "index_page", "root_index", "print_document"]

STYLE = """
:root { color-scheme: light; }
body { font-family: 'DejaVu Serif', Georgia, serif; max-width: 64rem; margin: 1.5rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1d1d1d; background: #fff; }
h1, h2, h3, h4, nav, header, footer, caption, figcaption, th, .ebm-table, .ebm-toc, .ebm-card h2 {
       font-family: 'DejaVu Sans', Arial, sans-serif; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0.8rem 0 1rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.08rem; margin-top: 1.6rem; }
a { color: #1a4f8b; }
code, pre { font-family: 'DejaVu Sans Mono', monospace; font-size: 0.85em; }
pre { background: #f6f6f6; padding: 0.5rem 0.7rem; white-space: pre-wrap; overflow-wrap: anywhere; }
header.ebm-header { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; font-size: 0.9rem;
       border-bottom: 2px solid #1a4f8b; padding-bottom: 0.4rem; }
header.ebm-header .ebm-part { color: #555; }
header.ebm-header .ebm-lang { margin-left: auto; }
nav.ebm-prevnext { display: flex; justify-content: space-between; gap: 1rem; font-size: 0.9rem; margin: 0.6rem 0; }
nav.ebm-prevnext .ebm-next { margin-left: auto; text-align: right; }
nav.ebm-toc { background: #f4f7fb; border: 1px solid #d8e1ec; padding: 0.6rem 1rem; margin: 1rem 0 1.5rem;
       font-size: 0.9rem; }
nav.ebm-toc h2 { font-size: 1rem; margin: 0 0 0.3rem; border: none; }
nav.ebm-toc ol { margin: 0; padding-left: 1.4rem; }
nav.ebm-toc ol ol { list-style: none; padding-left: 0.2rem; }
nav.ebm-toc ol ol li { display: inline; }
nav.ebm-toc ol ol li:not(:last-child)::after { content: " · "; color: #888; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.82rem; }
.ebm-output { max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #cfcfcf; padding: 0.25rem 0.45rem; vertical-align: top; text-align: left; }
thead th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td:has(> .ebm-bool) { text-align: center; }
table.ebm-quotes td[lang="sv"], table.ebm-quotes td[lang="en"] { min-width: 16rem; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
code.ebm-id { color: #666; font-size: 0.78em; }
.ebm-memo { color: #555; font-size: 0.92em; margin-top: 0.3rem; border-top: 1px dotted #bbb; }
.ebm-table-note { font-size: 0.85rem; color: #444; margin-top: -0.5rem; }
figure.ebm-figure { margin: 1.2rem 0; padding: 0.5rem; border: 1px solid #e2e2e2; break-inside: avoid; }
figure.ebm-figure img, .ebm-output img, .ebm-card img { max-width: 100%; height: auto; }
figcaption { font-size: 0.88rem; color: #333; margin-top: 0.4rem; }
.ebm-static { border: 1px dashed #bbb; padding: 0.5rem; }
footer.ebm-footer { margin-top: 3rem; border-top: 2px solid #1a4f8b; padding-top: 0.5rem; font-size: 0.8rem;
       color: #444; }
.ebm-cite { margin-top: 0.4rem; }
.ebm-card { border: 1px solid #ddd; padding: 0.6rem 1rem; margin: 0.8rem 0; }
.ebm-card h3 { margin-top: 0.2rem; }
.ebm-card img { max-height: 20rem; }
.ebm-code-entry { border-left: 4px solid var(--code-color, #999); padding: 0.1rem 0 0.1rem 0.8rem; margin: 1rem 0; }
.ebm-code-entry dl { display: grid; grid-template-columns: 9rem 1fr; gap: 0.2rem 0.8rem; margin: 0.3rem 0; }
.ebm-code-entry dt { font-weight: bold; font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 0.88rem; }
.ebm-code-entry dd { margin: 0; }
.ebm-code-entry.ebm-sub { margin-left: 1.5rem; }
.ebm-references li { margin-bottom: 0.5rem; }
.ebm-cover h1 { font-size: 2rem; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; line-height: 1.4; }
  header.ebm-header, nav.ebm-prevnext, footer.ebm-footer .ebm-cite-screen { display: none; }
  a { color: inherit; text-decoration: none; }
  h1, h2, h3 { break-after: avoid; }
  table { font-size: 7.4pt; width: 100%; table-layout: auto; }
  .ebm-output { overflow: visible; }
  th, td { padding: 0.12rem 0.25rem; hyphens: auto; }
  th { overflow-wrap: break-word; }
  td { overflow-wrap: anywhere; }
  td.num { white-space: normal; }
  table.ebm-quotes td[lang="sv"], table.ebm-quotes td[lang="en"] { min-width: 0; }
  tr, figure, .ebm-code-entry { break-inside: avoid; }
  pre { font-size: 7.4pt; }
  figure.ebm-figure img { max-height: 21cm; }
  section.ebm-print-page { break-before: page; }
}
"""


@dataclass
class Page:
    """One page of the report."""

    slug: str                   # file stem: "02_themes", "method", "codebook", ...
    title: str
    part: str                   # "findings", "method" or "appendix"
    body: str                   # HTML of the content
    headings: list[tuple[int, str, str]] = field(default_factory=list)   # (level, id, text) for the contents
    summary: str = ""
    label: str = ""             # e.g. "Appendix A"
    figures: int = 0
    key_figure: str | None = None   # an <img> for the index card

    @property
    def file(self) -> str:
        return f"{self.slug}.html"

    @property
    def full_title(self) -> str:
        return f"{self.label}. {self.title}" if self.label else self.title


def contents_html(headings: list[tuple[int, str, str]], lang: str, prefix: str = "") -> str:
    """The page's contents list: second-level headings, third-level ones beside them.

    Examples
    --------
    >>> print(contents_html([(2, "a", "A"), (3, "a1", "A one"), (2, "b", "B")], "en"))
    <nav class="ebm-toc"><h2>On this page</h2><ol><li><a href="#a">A</a><ol><li><a href="#a1">A one</a></li></ol></li><li><a href="#b">B</a></li></ol></nav>
    """
    items: list[list] = []
    for level, anchor, text in headings:
        link = f'<a href="#{prefix}{anchor}">{html.escape(text)}</a>'
        if level == 2:
            items.append([link, []])
        elif level == 3 and items:
            items[-1][1].append(link)
    if not items:
        return ""
    body = "".join(f"<li>{top}" + (f"<ol>{''.join(f'<li>{s}</li>' for s in subs)}</ol>" if subs else "") + "</li>"
                   for top, subs in items)
    return f'<nav class="ebm-toc"><h2>{ui(lang, "contents")}</h2><ol>{body}</ol></nav>'


def _document(title: str, body: str, lang: str, style: str = STYLE) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{style}</style></head>\n<body>\n{body}\n</body></html>\n")


def _footer(stamp: BuildStamp, lang: str, version: str) -> str:
    return (f'<footer class="ebm-footer"><p class="ebm-stamp">{html.escape(stamp_text(stamp, lang))}</p>'
            f"{citation_html(stamp, lang, version)}</footer>")


def _prevnext(previous: Page | None, following: Page | None, lang: str) -> str:
    left = (f'<a class="ebm-prev" rel="prev" href="{previous.file}">← {ui(lang, "previous")}: '
            f"{html.escape(previous.full_title)}</a>" if previous else "<span></span>")
    right = (f'<a class="ebm-next" rel="next" href="{following.file}">{ui(lang, "next")}: '
             f"{html.escape(following.full_title)} →</a>" if following else "")
    return f'<nav class="ebm-prevnext">{left}{right}</nav>'


def render_page(page: Page, *, lang: str, stamp: BuildStamp, version: str, previous: Page | None,
                following: Page | None, other_language: str | None) -> str:
    """A complete HTML page: header, previous/next, title, contents, body, footer with stamp and citation."""
    other = (f'<a class="ebm-lang" hreflang="{other_language}" href="../{other_language}/{page.file}">'
             f'{ui(lang, "other_language")}</a>' if other_language else "")
    header = (f'<header class="ebm-header"><a href="index.html">{ui(lang, "report")} — {ui(lang, "home")}</a>'
              f'<span class="ebm-part">{ui(lang, page.part)}</span>{other}</header>')
    body = (f"{header}\n{_prevnext(previous, following, lang)}\n<main>\n<h1>{html.escape(page.full_title)}</h1>\n"
            f"{contents_html(page.headings, lang)}\n{page.body}\n</main>\n{_prevnext(previous, following, lang)}\n"
            f"{_footer(stamp, lang, version)}")
    return _document(f"{page.full_title} — {ui(lang, 'report_short')}", body, lang)


def _card(page: Page, lang: str) -> str:
    figure = ""
    if page.key_figure:
        figure = f'<p><a href="{page.file}">{page.key_figure}</a></p>'
    words = ui(lang, "figure_count") if page.figures == 1 else ui(lang, "figures_count", n=page.figures)
    count = f" <small>({words})</small>" if page.figures else ""
    summary = f'<p lang="en">{html.escape(page.summary)}</p>' if page.summary else ""
    return (f'<div class="ebm-card"><h3><a href="{page.file}">{html.escape(page.full_title)}</a>{count}</h3>'
            f"{summary}{figure}</div>")


def index_page(pages: list[Page], *, lang: str, stamp: BuildStamp, version: str, pdf_name: str | None,
               other_language: str | None) -> str:
    """The contents page of one language: the parts in order, a card per page, the PDF."""
    other = (f'<a class="ebm-lang" hreflang="{other_language}" href="../{other_language}/index.html">'
             f'{ui(lang, "other_language")}</a>' if other_language else "")
    parts = []
    for part in ("findings", "method", "appendix"):
        members = [p for p in pages if p.part == part]
        if members:
            cards = "\n".join(_card(p, lang) for p in members)
            parts.append(f'<h2 id="{part}">{ui(lang, part)}</h2><p>{ui(lang, part + "_intro")}</p>\n{cards}')
    pdf = f'<p><a href="{pdf_name}">{ui(lang, "pdf")}</a> (PDF)</p>' if pdf_name else ""
    toc = contents_html([(2, part, ui(lang, part)) for part in ("findings", "method", "appendix")
                         if any(p.part == part for p in pages)], lang)
    body = (f'<header class="ebm-header"><span>{ui(lang, "report")}</span>{other}</header>\n<main>\n'
            f'<h1>{ui(lang, "report")}</h1>\n<p>{ui(lang, "intro")}</p>\n<p>{ui(lang, "intro_lang")}</p>\n{pdf}\n'
            f"{toc}\n" + "\n".join(parts) + f"\n</main>\n{_footer(stamp, lang, version)}")
    return _document(ui(lang, "report"), body, lang)


def root_index(built: dict[str, str | None], stamp: BuildStamp) -> str:
    """``reports/index.html``: the two languages, each with its PDF (or "not built yet")."""
    items = []
    for lang in ("en", "sv"):
        name = ui(lang, f"index_{lang}")
        if lang in built:
            pdf = f' · <a href="{lang}/{built[lang]}">PDF</a>' if built[lang] else ""
            items.append(f'<li lang="{lang}"><a href="{lang}/index.html" hreflang="{lang}">{name}: '
                         f'{ui(lang, "report")}</a>{pdf}</li>')
        else:
            items.append(f'<li lang="{lang}">{name}: {ui(lang, "not_built", code=lang)}</li>')
    body = (f'<main><h1>EBM analysis · EBM-analys</h1><p lang="en">{ui("en", "root_intro")}</p>'
            f'<p lang="sv">{ui("sv", "root_intro")}</p><p lang="en">{ui("en", "choose")} · '
            f'<span lang="sv">{ui("sv", "choose")}</span></p><ul>{"".join(items)}</ul></main>'
            f'<footer class="ebm-footer"><p class="ebm-stamp">{html.escape(stamp_text(stamp, "en"))}</p></footer>')
    return _document("EBM analysis · EBM-analys", body, "en")


# ---------------------------------------------------------------- the printed report

_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\bhref="([^"]*)"')


def _prefixed(fragment: str, slug: str, slugs: set[str]) -> str:
    """Ids and links of one page made unique within the joined print document."""
    fragment = _ID.sub(lambda m: f'id="{slug}--{m.group(1)}"', fragment)

    def link(m: re.Match) -> str:
        target = m.group(1)
        if target.startswith("#"):
            return f'href="#{slug}--{target[1:]}"'
        page, _, anchor = target.partition("#")
        stem = page[:-5] if page.endswith(".html") else page
        if stem in slugs:
            return f'href="#{stem}--{anchor}"' if anchor else f'href="#page-{stem}"'
        return m.group(0)

    return _HREF.sub(link, fragment)


def print_document(pages: list[Page], *, lang: str, stamp: BuildStamp, version: str) -> str:
    """All pages joined into one document for printing, with page numbers and the stamp in the margins."""
    slugs = {p.slug for p in pages}
    stamp_line = stamp_text(stamp, lang).replace('"', "'")
    page_style = (STYLE + "\n@page { size: A4; margin: 16mm 14mm 20mm 14mm;\n"
                  f'  @bottom-left {{ content: "{stamp_line}"; font: 6.5pt "DejaVu Sans", sans-serif; color: #555; }}\n'
                  f'  @bottom-right {{ content: "{ui(lang, "page_of")} " counter(page) " {ui(lang, "of")} " '
                  f'counter(pages); font: 8pt "DejaVu Sans", sans-serif; white-space: nowrap; }} }}\n')
    toc = "".join(f'<li><a href="#page-{p.slug}">{html.escape(p.full_title)}</a></li>' for p in pages)
    cover = (f'<section class="ebm-cover"><h1>{ui(lang, "report")}</h1><p>{ui(lang, "intro")}</p>'
             f'<p>{ui(lang, "intro_lang")}</p><p class="ebm-stamp">{html.escape(stamp_text(stamp, lang))}</p>'
             f'{citation_html(stamp, lang, version)}<h2>{ui(lang, "cover_contents")}</h2><ol>{toc}</ol></section>')
    sections = []
    for page in pages:
        contents = contents_html(page.headings, lang)
        body = _prefixed(f"{contents}\n{page.body}", page.slug, slugs)
        sections.append(f'<section class="ebm-print-page" id="page-{page.slug}"><h1>{html.escape(page.full_title)}'
                        f"</h1>\n{body}</section>")
    return _document(ui(lang, "report"), cover + "\n" + "\n".join(sections), lang, style=page_style)
