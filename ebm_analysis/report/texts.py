"""The report's own words in English and Swedish: page furniture, references, the citation."""

from __future__ import annotations

import html

from ebm_analysis.report.stamp import BuildStamp

__all__ = ["UI", "REFERENCES", "ui", "stamp_text", "citation_html", "references_html"]

UI: dict[str, dict[str, str]] = {
    "en": {
        "report": "EBM analysis — report",
        "report_short": "EBM analysis",
        "home": "Contents",
        "contents": "On this page",
        "previous": "Previous",
        "next": "Next",
        "findings": "Findings",
        "method": "Method",
        "appendix": "Appendix",
        "appendix_letter": "Appendix {letter}",
        "other_language": "På svenska",
        "pdf": "The whole report as one PDF",
        "built": "Built {date} from commit {commit}{dirty}; data/ checksum SHA-256 {data}; {how}.",
        "dirty": " with uncommitted changes",
        "executed": "every notebook executed for this build",
        "saved": "rendered from the notebooks' saved outputs",
        "cite_head": "How to cite",
        "cite_analysis": "ebm-analysis contributors ({year}). <i>EBM analysis: a reproducible qualitative analysis of "
                         "the evaluation of the pilot Erfarenhetsbaserat Mentorskap (Helsingborg 2015–2016)</i>. "
                         "Version {version}, commit {commit}, built {date}.",
        "cite_source": "The source analysed: Petersson, M. (2016). <i>Erfarenhetsbaserat Mentorskap. Utvärdering "
                       "av ett pilotprojekt för nyanställda socialsekreterare i Helsingborgs stad</i>. Helsingborg: "
                       "Helsingborgs stad.",
        "intro": "An analysis of the published evaluation of the pilot <i>Erfarenhetsbaserat Mentorskap</i> (EBM, "
                 "Helsingborg 2015–2016), in which newly hired social secretaries met eight times with "
                 "service-user mentors and an expert social secretary. Every table and figure is computed from "
                 "the plain-text data in <code>data/</code>, which record only what the report states (marked "
                 "reported), what follows from it (inferred, with the reasoning) and what it leaves open "
                 "(unknown). The coding of the material is a documented draft made with the help of an AI "
                 "language model and not yet checked by a second human coder: see the method.",
        "intro_lang": "Tables, figures and page furniture are in English; quotations are in Swedish, verbatim, "
                      "with our English translation beside them.",
        "findings_intro": "What the data show, notebook by notebook.",
        "method_intro": "How the corpus was built and segmented, how it was coded and checked, and what that "
                        "allows.",
        "appendix_intro": "The codebook, the data dictionary, the tooling notebooks (interchange with other "
                          "programs, the coding workbench and more) and the references.",
        "figures_count": "{n} figures",
        "figure_count": "1 figure",
        "root_intro": "An analysis of the published evaluation of the pilot <i>Erfarenhetsbaserat Mentorskap</i> "
                      "(EBM, Helsingborg 2015–2016), with every table and figure computed from the project's data.",
        "key_figure": "Key figure of {title}",
        "choose": "Choose a language",
        "index_en": "English",
        "index_sv": "Svenska",
        "not_built": "not built yet (make report LANG={code})",
        "page_of": "Page",
        "of": "of",
        "cover_contents": "Contents",
        "figure_missing_alt": "Figure",
    },
    "sv": {
        "report": "EBM-analys — rapport",
        "report_short": "EBM-analys",
        "home": "Innehåll",
        "contents": "På den här sidan",
        "previous": "Föregående",
        "next": "Nästa",
        "findings": "Resultat",
        "method": "Metod",
        "appendix": "Bilagor",
        "appendix_letter": "Bilaga {letter}",
        "other_language": "In English",
        "pdf": "Hela rapporten som en PDF",
        "built": "Byggd {date} från commit {commit}{dirty}; kontrollsumma för data/ SHA-256 {data}; {how}.",
        "dirty": " med ändringar som inte är incheckade",
        "executed": "alla anteckningsböcker körda för detta bygge",
        "saved": "återgiven från anteckningsböckernas sparade utdata",
        "cite_head": "Så citerar du",
        "cite_analysis": "ebm-analysis contributors ({year}). <i>EBM analysis: a reproducible qualitative analysis of "
                         "the evaluation of the pilot Erfarenhetsbaserat Mentorskap (Helsingborg 2015–2016)</i>. "
                         "Version {version}, commit {commit}, byggd {date}.",
        "cite_source": "Källan som analyseras: Petersson, M. (2016). <i>Erfarenhetsbaserat Mentorskap. "
                       "Utvärdering av ett pilotprojekt för nyanställda socialsekreterare i Helsingborgs stad</i>. "
                       "Helsingborg: Helsingborgs stad.",
        "intro": "En analys av den publicerade utvärderingen av pilotprojektet <i>Erfarenhetsbaserat "
                 "Mentorskap</i> (EBM, Helsingborg 2015–2016), där nyanställda socialsekreterare träffade "
                 "brukarmentorer och en sakkunnig socialsekreterare åtta gånger. Varje tabell och figur beräknas "
                 "från textfilerna i <code>data/</code>, som bara återger vad rapporten säger (markerat "
                 "rapporterat), vad som följer av den (härlett, med resonemanget) och vad den lämnar öppet "
                 "(okänt). Kodningen av materialet är ett dokumenterat utkast gjort med hjälp av en AI-språkmodell "
                 "och ännu inte granskat av en andra mänsklig kodare: se metoden.",
        "intro_lang": "Tabeller, figurer och sidornas ramtexter är på svenska. Den löpande texten i "
                      "analysanteckningsböckerna är skriven på engelska och återges oöversatt; citat är på "
                      "svenska, ordagrant, med vår engelska översättning bredvid.",
        "findings_intro": "Vad data visar, anteckningsbok för anteckningsbok.",
        "method_intro": "Hur korpusen byggdes och delades i segment, hur den kodades och kontrollerades, och "
                        "vad det medger.",
        "appendix_intro": "Kodboken, databeskrivningen, verktygsanteckningsböckerna (utbyte med andra program, "
                          "kodningsverktyget med mera) och referenserna.",
        "figures_count": "{n} figurer",
        "figure_count": "1 figur",
        "root_intro": "En analys av den publicerade utvärderingen av pilotprojektet <i>Erfarenhetsbaserat "
                      "Mentorskap</i> (EBM, Helsingborg 2015–2016), där varje tabell och figur beräknas från "
                      "projektets data.",
        "key_figure": "Nyckelfigur för {title}",
        "choose": "Välj språk",
        "index_en": "English",
        "index_sv": "Svenska",
        "not_built": "inte byggd än (make report LANG={code})",
        "page_of": "Sida",
        "of": "av",
        "cover_contents": "Innehåll",
        "figure_missing_alt": "Figur",
    },
}


def ui(lang: str, key: str, **values) -> str:
    """A piece of page furniture in ``lang``, with ``values`` filled in."""
    text = UI[lang][key]
    return text.format(**values) if values else text


def stamp_text(stamp: BuildStamp, lang: str) -> str:
    """The build stamp as one sentence (plain text).

    Examples
    --------
    >>> s = BuildStamp("2016-06-30", "0123456789abcdef", False, "f" * 64, True)
    >>> stamp_text(s, "en")
    'Built 2016-06-30 from commit 0123456789ab; data/ checksum SHA-256 ffffffffffff…; every notebook executed for this build.'
    """
    return ui(lang, "built", date=stamp.date, commit=stamp.short_commit, dirty=ui(lang, "dirty") if stamp.dirty else "",
              data=stamp.data_sha256[:12] + "…", how=ui(lang, "executed" if stamp.executed else "saved"))


def citation_html(stamp: BuildStamp, lang: str, version: str) -> str:
    """The "how to cite" block (HTML) for a page."""
    analysis = ui(lang, "cite_analysis", year=stamp.date[:4], version=html.escape(version),
                  commit=html.escape(stamp.short_commit), date=stamp.date)
    return (f'<div class="ebm-cite"><b>{ui(lang, "cite_head")}.</b> <span lang="en">{analysis}</span> '
            f'{ui(lang, "cite_source")}</div>')


#: The works cited by the report pages, notebooks and library, by key.
REFERENCES: dict[str, str] = {
    "petersson2016": "Petersson, M. (2016). <i>Erfarenhetsbaserat Mentorskap. Utvärdering av ett pilotprojekt för "
                     "nyanställda socialsekreterare i Helsingborgs stad</i>. Helsingborg: Helsingborgs stad. "
                     "The evaluation report analysed here, and the only source of the data.",
    "brown2016": "Brown, N. J. L., &amp; Heathers, J. A. J. (2016). The GRIM test: A simple technique detects "
                 "numerous anomalies in the reporting of results in psychology. <i>Social Psychological and "
                 "Personality Science</i>, 8(4), 363–369 (issue of 2017; published online 2016). "
                 "doi:10.1177/1948550616673876. Used in notebook 03.",
    "cohen1960": "Cohen, J. (1960). A coefficient of agreement for nominal scales. <i>Educational and Psychological "
                 "Measurement</i>, 20(1), 37–46. Kappa, in notebook 05 and <code>ebm_analysis.agreement</code>.",
    "krippendorff2011": "Krippendorff, K. (2011). <i>Computing Krippendorff's Alpha-Reliability</i>. Annenberg "
                        "School for Communication, University of Pennsylvania. Alpha, in "
                        "<code>ebm_analysis.agreement</code>.",
    "castro2017": "Castro, S. (2017). <i>Fast Krippendorff: fast computation of Krippendorff's alpha agreement "
                  "measure</i> (the <code>krippendorff</code> Python package). Used to compute alpha.",
    "macqueen1998": "MacQueen, K. M., McLellan, E., Kay, K., &amp; Milstein, B. (1998). Codebook development for "
                    "team-based qualitative analysis. <i>Cultural Anthropology Methods</i>, 10(2), 31–36. The form "
                    "of the codebook (definition, use when, do not use when, example).",
    "heiberger2014": "Heiberger, R. M., &amp; Robbins, N. B. (2014). Design of diverging stacked bar charts for "
                     "Likert scales and other applications. <i>Journal of Statistical Software</i>, 57(5), 1–32. "
                     "The survey plot for per-respondent answers (not used on the EBM data, which has none).",
    "jeffreys1946": "Jeffreys, H. (1946). An invariant form for the prior probability in estimation problems. "
                    "<i>Proceedings of the Royal Society of London A</i>, 186, 453–461. The prior behind the "
                    "intervals for kappa (<code>ebm_analysis.uncertainty</code>).",
    "rubin1981": "Rubin, D. B. (1981). The Bayesian bootstrap. <i>The Annals of Statistics</i>, 9(1), 130–134. "
                 "Drawing the shares of a table from their Dirichlet posterior.",
    "refi2019": "REFI-QDA Standard (2019). <i>Codebook exchange (QDC) and Project exchange (QDPX)</i>, schemas "
                "of March 2019. Rotterdam Exchange Format Initiative. The interchange format of notebook 05.",
    "nvivo": "QSR International. <i>NVivo help: Run a coding comparison query</i> (how kappa is calculated, and "
             "averaging kappa over sources). Compared in <code>ebm_analysis.agreement</code>.",
    "qualcoder": "QualCoder documentation. <i>Coder comparison</i> (character-level agreement and kappa between two "
                 "coders). Compared in <code>ebm_analysis.agreement</code>.",
}


def references_html() -> str:
    """The reference list as an HTML list, each entry with an anchor ``ref-<key>``."""
    items = "".join(f'<li id="ref-{key}" lang="en">{text}</li>' for key, text in REFERENCES.items())
    return f'<ol class="ebm-references">{items}</ol>'
