"""The method page: how the corpus was built and segmented, coded and checked, and its limits.

The text is written here, in English and Swedish; every number in it is
computed from the loaded project by :func:`method_facts`, so the page stays
true when the data change.
"""

from __future__ import annotations

import re

from nbconvert.filters.markdown_mistune import markdown2html_mistune

from ebm_analysis.project import Project
from ebm_analysis.report.notebooks import _Ids, _plain

__all__ = ["method_facts", "method_page", "METHOD"]


def method_facts(project: Project) -> dict[str, int]:
    """The numbers the method page states, counted from the data.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> f = method_facts(load_project())
    >>> f["segments"] == f["excerpts"] + f["observations"]
    True
    """
    ex, obs, book, cod = project.excerpts, project.observations, project.codebook, project.codings
    source = ex["source_type"].value_counts()
    basis = obs["basis"].value_counts()
    top = book["parent_id"].isna() | (book["parent_id"].astype(str) == "")
    return {
        "excerpts": len(ex), "interview": int(source.get("interview", 0)),
        "survey_comment": int(source.get("survey_comment", 0)), "meeting": int(source.get("meeting", 0)),
        "placed": int(ex["meeting"].notna().sum()),
        "observations": len(obs), "observed": int(basis.get("observed", 0)), "retold": int(basis.get("retold", 0)),
        "unclear": int(basis.get("unclear", 0)), "meetings": len(project.meetings),
        "segments": len(ex) + len(obs),
        "codes": len(book), "top": int(top.sum()), "sub": int((~top).sum()),
        "unused": int((book["status"] == "unused").sum()),
        "codings": len(cod), "whole": int(cod["start"].isna().sum()),
        "memos": int(cod["memo"].notna().sum()), "coders": int(cod["coder"].nunique()),
        "contradictions": len(project.contradictions),
    }


METHOD = {
    "en": {
        "title": "Method",
        "text": """
This page says how the data behind the findings were made, what the unit of analysis is, how the codebook and the coding came about, what was checked, and what the material cannot support. The data dictionary (Appendix B) gives every file and column; the codebook (Appendix A) every code.

## The source

The only source is the published evaluation report (Petersson 2016; see the references). The evaluator observed meetings, interviewed participants and ran a final survey, but the interview transcripts, the meeting notes and the survey answers are not published. This is therefore a **secondary analysis of a report**: it can show what the report's own text and tables support, not what the participants said beyond what the report quotes.

## How the corpus was built and segmented

- **Quotations.** Every quotation of a participant in the report became one segment of `excerpts.csv`: {excerpts} quotations, {interview} from interviews, {survey_comment} survey comments and {meeting} things said at a meeting and quoted as such. Each keeps the Swedish text verbatim (copied from the text rendering of the report's PDF, without the quotation marks), our English translation, the report section it comes from, the speaker's role where the report gives or clearly implies it, and the meeting where the report places it ({placed} of them). No quotation is tied to a person: the report never does so.
- **The account of the meetings.** The evaluator's narrative of the {meetings} meetings (section *Mentorskapsträffarna*) became {observations} segments of `observations.csv`, one to three sentences each, verbatim; together they cover that narrative exactly once, in order. Each records how the evaluator knew the meeting: observed ({observed} segments), retold by the participants ({retold}), or unclear because the report contradicts itself about which meetings were observed ({unclear}).
- **Left out on purpose**: the literature quotation, media headlines, the contract and the mentors' advice (kept as their own tables), theme names, the survey statements (their own table) and the evaluator's later re-uses of a participant's phrase.
- **Everything else the report states** — participants, meetings, attendance, the survey table — is kept in tables in which every row names its report section and its basis: *reported* (the report says it), *inferred* (it follows from what the report says; the reasoning is in the row) or *unknown*. Nothing is invented: no individual answers, attendance or quotations. Where the report contradicts itself ({contradictions} places) both readings are kept and the analysis shows both.

## The unit of analysis

The unit is the **segment**: one quotation or one segment of the meeting account, {segments} in all. A code is applied to a span of a segment (character positions in its Swedish text) or to the whole segment ({whole} of the {codings} codings cover a whole segment). Unless a table or figure says otherwise, counts are counts of segments: a segment counts once for a code however many codings it carries, and a coding with a sub-code counts for its parent. Every figure names its unit in its title and colour bar. Some short quotations placed at a meeting are also quoted inside that meeting's account, and both are coded, so counts that pool the two tables count those passages twice (the pairs are listed in the data dictionary). People cannot be units: the report ties no quotation and no attribute to a person.

## How the codebook was developed

The codebook has {codes} codes: {top} top-level codes (themes) and {sub} sub-codes, two levels deep. The themes come from the report itself: the themes it finds in the interviews (stress; belonging, *gemenskap och tillhörighet*; soft values, *mjuka värden*), its analytic claims (the expert social secretary as moderator and translator), and the topics of the meetings (prejudice and exclusion, power, discretion, *handlingsutrymme*); the Swedish names are the report's own terms where it has one. Following MacQueen et al. (1998), every code has a definition (for the themes, naming the report section it rests on), when to use it, when not to use it (naming the code to use instead) and a verbatim example. {unused} codes are marked *unused*: the report names them but no segment carries them; they are kept so that the absence is visible. The codebook was written for this repository together with the first coding and, like the coding, has not been reviewed by the evaluator or by an independent qualitative researcher.

## How the draft coding was made

The coding in `codings.csv` (coder id `coder1`, {codings} codings) is a **draft made for this repository during its development by the engineering team, with the help of an AI language model**, from a close reading of the report. It is not an expert's coding, and it has not been reviewed by the evaluator or by an independent qualitative researcher; read every count and quotation table built on it as a documented draft to be checked. It was coded by one coder, from each segment's Swedish text, with the surrounding text of the report used only to resolve meaning. Several codes per segment are allowed. {memos} of the {codings} codings carry a memo explaining the decision, and the decisions a second coder should know (ambiguous speakers, interpretive codings, what was deliberately not coded) are written out in the data dictionary.

## What was checked

- **Mechanically, every time the data are loaded**: every coding refers to an existing segment and code, its span lies inside the segment's text, and the codebook is a tree. The test suite adds that every segment carries at least one code, that every code marked active is used (itself or through a sub-code) while unused codes are not, and that every quotation is verbatim in the report (when the report's text is available to the tests).
- **Against a second, transparent reading**: a keyword dictionary (`dictionary.csv`) codes the sentence around each keyword match; notebook 05 (in the appendix) compares it with `coder1` theme by theme, with intervals for kappa and every disagreement shown. The keyword list was written by people who had read the segments, so the agreement is in-sample and optimistic. **It is not inter-coder reliability.**
- **Not checked**: no second human coder has coded the material, and no agreement between human coders exists. The procedure for one (code blind, with the codebook only) is in notebook 05 and the data dictionary.

## Limitations

- **Secondary material.** The analysis sees only what the report chose to quote and summarise. The account of the meetings is the evaluator's, partly at second hand, and the evaluator already held some of the interpretations (the expert as translator) that the coding then finds in that account.
- **Small numbers.** {segments} segments, {excerpts} quotations, a survey of about seven people whose group sizes are not printed, attendance known in fragments. Counts describe where the material is, not how important a theme was to the participants; intervals and "fewer than five segments" flags mark figures that rest on a handful of decisions, and shares are given as fractions where n is small.
- **One draft coding.** A single coder's AI-assisted draft, not yet checked by a second human coder.
- **Anonymity.** No quotation or attribute is tied to a person, so no individual can be followed and comparisons between roles are thin.
- **Contradictions are kept, not resolved.** Where a conclusion depends on one reading of the report, the page says so.
""",
    },
    "sv": {
        "title": "Metod",
        "text": """
Den här sidan beskriver hur data bakom resultaten togs fram, vad analysenheten är, hur kodboken och kodningen kom till, vad som kontrollerades och vad materialet inte kan bära. Databeskrivningen (bilaga B) anger varje fil och kolumn, kodboken (bilaga A) varje kod.

## Källan

Den enda källan är den publicerade utvärderingsrapporten (Petersson 2016; se referenserna). Utvärderaren observerade träffar, intervjuade deltagare och gjorde en avslutande enkät, men intervjuutskrifterna, mötesanteckningarna och enkätsvaren är inte publicerade. Detta är därför en **sekundäranalys av en rapport**: den kan visa vad rapportens egen text och tabeller bär, inte vad deltagarna sa utöver det rapporten citerar.

## Hur korpusen byggdes och delades i segment

- **Citat.** Varje citat av en deltagare i rapporten blev ett segment i `excerpts.csv`: {excerpts} citat, {interview} från intervjuer, {survey_comment} enkätkommentarer och {meeting} yttranden vid en träff som rapporten citerar som sådana. Varje citat har den svenska texten ordagrant (kopierad ur textversionen av rapportens PDF, utan citattecknen), vår engelska översättning, avsnittet i rapporten det kommer från, talarens roll där rapporten anger eller tydligt antyder den, och träffen där rapporten placerar det ({placed} av dem). Inget citat knyts till en person: rapporten gör det aldrig.
- **Redogörelsen för träffarna.** Utvärderarens berättelse om de {meetings} träffarna (avsnittet *Mentorskapsträffarna*) blev {observations} segment i `observations.csv`, en till tre meningar vardera, ordagrant; tillsammans täcker de berättelsen exakt en gång, i ordning. Varje segment anger hur utvärderaren kände till träffen: observerad ({observed} segment), återberättad av deltagarna ({retold}) eller oklart, eftersom rapporten motsäger sig själv om vilka träffar som observerades ({unclear}).
- **Medvetet utelämnat**: litteraturcitatet, medierubriker, kontraktet och mentorernas råd (egna tabeller), temanamn, enkätens påståenden (egen tabell) och utvärderarens senare återbruk av en deltagares formulering.
- **Allt annat rapporten anger** — deltagare, träffar, närvaro, enkättabellen — finns i tabeller där varje rad anger sitt avsnitt i rapporten och sin grund: *rapporterat* (rapporten säger det), *härlett* (det följer av vad rapporten säger; resonemanget står i raden) eller *okänt*. Inget är påhittat: inga enskilda svar, ingen närvaro, inga citat. Där rapporten motsäger sig själv ({contradictions} ställen) behålls båda läsningarna och analysen visar båda.

## Analysenheten

Enheten är **segmentet**: ett citat eller ett segment av redogörelsen för träffarna, {segments} sammanlagt. En kod sätts på ett avsnitt av ett segment (teckenpositioner i den svenska texten) eller på hela segmentet ({whole} av de {codings} kodningarna gäller ett helt segment). Om inte en tabell eller figur säger annat räknas segment: ett segment räknas en gång för en kod hur många kodningar det än har, och en kodning med en underkod räknas för den överordnade koden. Varje figur anger sin enhet i rubriken och vid färgskalan. Några korta citat knutna till en träff återges också i redogörelsen för träffen, och båda är kodade; antal som slår ihop de två tabellerna räknar därför de avsnitten två gånger (paren står i databeskrivningen). Personer kan inte vara enheter: rapporten knyter inget citat och ingen egenskap till en person.

## Hur kodboken utvecklades

Kodboken har {codes} koder: {top} överordnade koder (teman) och {sub} underkoder, i två nivåer. Temana kommer från rapporten själv: de teman den finner i intervjuerna (stress; gemenskap och tillhörighet; mjuka värden), dess analytiska påståenden (den sakkunniga socialsekreteraren som moderator och översättare) och träffarnas ämnen (fördomar och utanförskap, makt, handlingsutrymme); de svenska namnen är rapportens egna begrepp där den har ett. I enlighet med MacQueen m.fl. (1998) har varje kod en definition (för temana med det avsnitt i rapporten den vilar på), när den används, när den inte används (och vilken kod som ska användas i stället) samt ett ordagrant exempel. {unused} koder är markerade som *oanvända*: rapporten nämner dem men inget segment bär dem; de behålls för att frånvaron ska synas. Kodboken skrevs för detta projekt tillsammans med den första kodningen och har, liksom kodningen, inte granskats av utvärderaren eller av en oberoende kvalitativ forskare.

## Hur utkastkodningen gjordes

Kodningen i `codings.csv` (kodar-id `coder1`, {codings} kodningar) är ett **utkast som gjordes för detta projekt under utvecklingen, av utvecklingsteamet med hjälp av en AI-språkmodell**, utifrån en noggrann läsning av rapporten. Det är inte en experts kodning, och den har inte granskats av utvärderaren eller av en oberoende kvalitativ forskare; läs varje antal och citattabell som bygger på den som ett dokumenterat utkast att pröva. Den gjordes av en kodare, utifrån varje segments svenska text, där rapportens omgivande text bara användes för att förstå innebörden. Flera koder per segment är tillåtna. {memos} av de {codings} kodningarna har ett memo som förklarar beslutet, och de beslut en andra kodare behöver känna till (oklara talare, tolkande kodningar, vad som medvetet inte kodades) står i databeskrivningen.

## Vad som kontrollerades

- **Maskinellt, varje gång data läses in**: varje kodning hänvisar till ett befintligt segment och en befintlig kod, dess avsnitt ligger inom segmentets text, och kodboken är ett träd. Testsviten kontrollerar dessutom att varje segment har minst en kod, att varje kod markerad som använd används (själv eller genom en underkod) medan oanvända koder inte gör det, och att varje citat står ordagrant i rapporten (när rapportens text finns tillgänglig för testerna).
- **Mot en andra, genomskinlig läsning**: en nyckelordslista (`dictionary.csv`) kodar meningen runt varje träff på ett nyckelord; anteckningsbok 05 (i bilagorna) jämför den med `coder1` tema för tema, med intervall för kappa och varje oenighet visad. Nyckelordslistan skrevs av personer som hade läst segmenten, så överensstämmelsen gäller inom urvalet och är optimistisk. **Den är inte reliabilitet mellan kodare.**
- **Inte kontrollerat**: ingen andra mänsklig kodare har kodat materialet, och ingen överensstämmelse mellan mänskliga kodare finns. Hur en sådan kodning ska göras (blint, med bara kodboken) står i anteckningsbok 05 och i databeskrivningen.

## Begränsningar

- **Sekundärt material.** Analysen ser bara det rapporten valde att citera och sammanfatta. Redogörelsen för träffarna är utvärderarens, delvis i andra hand, och utvärderaren hade redan vissa av de tolkningar (den sakkunnige som översättare) som kodningen sedan finner i redogörelsen.
- **Små tal.** {segments} segment, {excerpts} citat, en enkät med omkring sju svarande vars gruppstorlekar inte är tryckta, närvaro känd i fragment. Antalen beskriver var materialet finns, inte hur viktigt ett tema var för deltagarna; intervall och markeringen "färre än fem segment" visar siffror som vilar på en handfull beslut, och andelar anges som bråk där n är litet.
- **En utkastkodning.** En enda kodares AI-assisterade utkast, ännu inte prövat av en andra mänsklig kodare.
- **Anonymitet.** Inget citat och ingen egenskap knyts till en person, så ingen enskild kan följas och jämförelser mellan roller är tunna.
- **Motsägelser behålls, de löses inte.** Där en slutsats beror på en läsning av rapporten säger sidan det.
""",
    },
}


def method_page(project: Project, lang: str) -> tuple[str, str, list[tuple[int, str, str]]]:
    """Title, body and headings of the method page in ``lang``, its numbers counted from ``project``."""
    text = METHOD[lang]["text"].format(**method_facts(project))
    text = re.sub(r"\(Petersson 2016", '([Petersson 2016](references.html#ref-petersson2016)', text)
    text = re.sub(r"MacQueen et al\. \(1998\)", "[MacQueen et al. (1998)](references.html#ref-macqueen1998)", text)
    text = re.sub(r"MacQueen m\.fl\. \(1998\)", "[MacQueen m.fl. (1998)](references.html#ref-macqueen1998)", text)
    ids, headings = _Ids(), []
    body = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", markdown2html_mistune(text), flags=re.DOTALL)

    def heading(match: re.Match) -> str:
        level, inner = int(match.group(1)), match.group(3)
        anchor = ids.new(_plain(inner))
        headings.append((level, anchor, _plain(inner)))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    body = re.sub(r"<h([1-6])([^>]*)>(.*?)</h\1>", heading, body, flags=re.DOTALL)
    return METHOD[lang]["title"], f'<div class="ebm-prose" lang="{lang}">{body}</div>', headings
