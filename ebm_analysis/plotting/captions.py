"""Captions and alt text of the report's figures, in English and Swedish.

:func:`ebm_analysis.figures.show_figure` takes a figure's caption and alt
text from here (by the figure's file name) unless the notebook passes its
own. A caption says what is drawn, in which unit, and how to read it; the
alt text says what a reader who cannot see the figure needs to know of it.
Neither states a number that the data could change: the numbers are in the
figure, in the tables beside it and in the prose.
"""

from __future__ import annotations

__all__ = ["CAPTIONS"]

CAPTIONS: dict[str, dict[str, dict[str, str]]] = {
    "material_per_meeting": {
        "en": {
            "caption": "Material per meeting, counted in segments. Left bar of each meeting: segments of the "
                       "evaluator's account of the meeting, by how the evaluator knew it (observed; retold by the "
                       "participants; unclear, where the report contradicts itself, X1). Right bar: quotations the "
                       "report places at that meeting. Quotations placed at no meeting (most interview quotations) "
                       "are not drawn.",
            "alt": "Bar chart over meetings 1 to 8. Every meeting has an account of a few segments; meeting 1 is "
                   "only retold, meetings 2 and 7 are unclear, the others observed. Meetings 4, 5 and 8 have the "
                   "longest accounts. Quotations placed at a meeting exist only for meetings 3 to 6 and 8.",
        },
        "sv": {
            "caption": "Material per träff, räknat i segment. Vänster stapel för varje träff: segment av "
                       "utvärderarens redogörelse för träffen, efter hur utvärderaren kände till den (observerad; "
                       "återberättad av deltagarna; oklart, där rapporten motsäger sig själv, X1). Höger stapel: citat "
                       "som rapporten knyter till träffen. Citat som inte hör till någon träff (de flesta "
                       "intervjucitaten) ritas inte.",
            "alt": "Stapeldiagram över träff 1 till 8. Varje träff har en redogörelse på några segment; träff 1 "
                   "är bara återberättad, träff 2 och 7 oklara, övriga observerade. Träff 4, 5 och 8 har de "
                   "längsta redogörelserna. Citat knutna till en träff finns bara för träff 3 till 6 och 8.",
        },
    },
    "themes_by_role": {
        "en": {
            "caption": "The four themes by the speaker's role, counted in segments: a segment coded with the theme "
                       "(or a sub-code of it) counts once, however many codings it carries. \"Evaluator's notes\" "
                       "is the evaluator's account of the meetings, not a participant.",
            "alt": "Grouped horizontal bars, one group per theme (stress, belonging, soft values, the moderator as "
                   "translator), one bar per speaker role. Stress and belonging come mostly from social "
                   "secretaries; soft values mostly from the evaluator's account of the meetings; the moderator "
                   "theme mostly from speakers of unknown role and the evaluator.",
        },
        "sv": {
            "caption": "De fyra temana efter talarens roll, räknat i segment: ett segment kodat med temat (eller en "
                       "underkod) räknas en gång, hur många kodningar det än har. \"Utvärderarens anteckningar\" är "
                       "utvärderarens redogörelse för träffarna, inte en deltagare.",
            "alt": "Grupperade liggande staplar, en grupp per tema (stress, gemenskap, mjuka värden, moderatorn som "
                   "översättare), en stapel per talarroll. Stress och gemenskap kommer mest från "
                   "socialsekreterarna; mjuka värden mest från utvärderarens redogörelse för träffarna; "
                   "moderatortemat mest från talare med okänd roll och från utvärderaren.",
        },
    },
    "themes_by_meeting": {
        "en": {
            "caption": "Every top-level code by meeting, counted in segments: each cell is the number of segments "
                       "placed at that meeting that carry the code or one of its sub-codes (a segment counts once "
                       "per code). Segments placed at no meeting are left out; their number is under the plot. "
                       "Nine short quotations are also quoted inside their meeting's account and both are coded, so "
                       "those passages count twice.",
            "alt": "Heatmap with the 14 top-level codes as rows and meetings 1 to 8 as columns, each cell "
                   "labelled with its count of segments. Soft values fill most meetings and peak at meeting 5; "
                   "discretion and personal-not-private cluster at meetings 3 and 4; prejudice and exclusion "
                   "runs from meeting 6 to 8; experiential knowledge appears at every meeting but meeting 2; "
                   "stress and the two unused codes have no segment at any meeting.",
        },
        "sv": {
            "caption": "Alla överordnade koder per träff, räknat i segment: varje cell är antalet segment knutna "
                       "till träffen som har koden eller någon av dess underkoder (ett segment räknas en gång per "
                       "kod). Segment som inte hör till någon träff är utelämnade; antalet står under diagrammet. "
                       "Nio korta citat återges också i träffens redogörelse och båda är kodade, så de avsnitten "
                       "räknas två gånger.",
            "alt": "Värmekarta med de 14 överordnade koderna som rader och träff 1 till 8 som kolumner; varje "
                   "cell anger antalet segment. Mjuka värden finns vid de flesta träffar och flest vid träff 5; "
                   "handlingsutrymme och personlig men inte privat samlas vid träff 3 och 4; fördomar och "
                   "utanförskap från träff 6 till 8; erfarenhetskunskap vid alla träffar utom träff 2; stress "
                   "och de två oanvända koderna har inget segment vid någon träff.",
        },
    },
    "themes_cooccurrence": {
        "en": {
            "caption": "Top-level codes coded together, counted in segments: each off-diagonal cell is the number "
                       "of segments that carry both codes (or sub-codes of them); the diagonal is the number of "
                       "segments carrying the code at all. All 79 segments, with or without a meeting.",
            "alt": "Symmetric heatmap of the 14 top-level codes against each other, each cell labelled with a "
                   "count of segments. The largest diagonal cells are soft values, experiential knowledge and "
                   "project process; the strongest pairing is soft values with experiential knowledge, followed by "
                   "soft values with power imbalance and with project process, and experiential knowledge with "
                   "personal-not-private.",
        },
        "sv": {
            "caption": "Överordnade koder kodade tillsammans, räknat i segment: varje cell utanför diagonalen är "
                       "antalet segment som har båda koderna (eller underkoder till dem); diagonalen är antalet "
                       "segment som har koden alls. Alla 79 segment, med eller utan träff.",
            "alt": "Symmetrisk värmekarta med de 14 överordnade koderna mot varandra; varje cell anger ett antal "
                   "segment. De största diagonalcellerna är mjuka värden, erfarenhetskunskap och projektets "
                   "genomförande; det starkaste paret är mjuka värden med erfarenhetskunskap, följt av mjuka "
                   "värden med ojämlik maktrelation och med projektets genomförande, och erfarenhetskunskap med "
                   "personlig men inte privat.",
        },
    },
    "survey_means": {
        "en": {
            "caption": "The survey's printed means per statement (scale 1–4): circles for the social secretaries, "
                       "squares for all respondents, and the grey bar for the mean of the other respondents "
                       "(expert and mentors) that the two printed means imply. A red cross marks a mean that "
                       "cannot be right as printed. The group sizes are not printed: the n beside each statement "
                       "is inferred (grey italics), not reported.",
            "alt": "Dot plot of six survey statements, S1 to S6, each with its full wording. The social "
                   "secretaries' means are 3.33 or 4, all respondents' means between 2.71 and 4. The implied mean "
                   "of the other respondents is lower than the social secretaries' on S1 to S3. S5 is marked: "
                   "its two printed means cannot both be right. Every n is inferred: 3 social secretaries, 7 in "
                   "all.",
        },
        "sv": {
            "caption": "Enkätens tryckta medelvärden per påstående (skala 1–4): cirklar för socialsekreterarna, "
                       "kvadrater för alla svarande och grå stapel för medelvärdet hos övriga svarande (sakkunnig "
                       "och mentorer) som de två tryckta medelvärdena ger. Ett rött kryss markerar ett medelvärde "
                       "som inte kan stämma som tryckt. Gruppstorlekarna är inte tryckta: n vid varje påstående är "
                       "härlett (grå kursiv), inte rapporterat.",
            "alt": "Punktdiagram över sex enkätpåståenden, S1 till S6, vart och ett med full ordalydelse. "
                   "Socialsekreterarnas medelvärden är 3,33 eller 4, alla svarandes mellan 2,71 och 4. Övriga "
                   "svarandes härledda medelvärde är lägre än socialsekreterarnas på S1 till S3. S5 är markerat: "
                   "dess två tryckta medelvärden kan inte båda stämma. Varje n är härlett: 3 socialsekreterare, "
                   "7 totalt.",
        },
    },
    "attendance_bounds": {
        "en": {
            "caption": "How many people of each role were at each meeting. A solid bar with a filled dot is a count "
                       "the report gives; a pale bar with an open dot is exact only by inference; a hatched box "
                       "runs from the least to the most the data allows; the short grey line is how many of the "
                       "role had joined by then. Colours are the roles, in the legend and in the bars alike.",
            "alt": "Chart of meetings 1 to 8 with one slot per role (social secretaries, LVM case officer, "
                   "mentors, expert). Only meeting 6 has counts the report gives: three social secretaries, two "
                   "mentors and no expert. At the other meetings most numbers are ranges, e.g. two to six "
                   "social secretaries; the expert is reported present at meetings 3, 4, 5 and 7.",
        },
        "sv": {
            "caption": "Hur många av varje roll som var med vid varje träff. En fylld stapel med fylld punkt är ett "
                       "antal som rapporten anger; en blek stapel med öppen punkt är exakt bara genom härledning; en "
                       "streckad ruta går från det minsta till det största som data tillåter; det korta grå "
                       "strecket visar hur många av rollen som hade börjat. Färgerna är rollerna, i "
                       "teckenförklaringen och i staplarna.",
            "alt": "Diagram över träff 1 till 8 med en plats per roll (socialsekreterare, LVM-handläggare, "
                   "mentorer, sakkunnig). Bara träff 6 har antal som rapporten anger: tre socialsekreterare, två "
                   "mentorer och ingen sakkunnig. Vid de andra träffarna är de flesta antal intervall, till "
                   "exempel två till sex socialsekreterare; den sakkunnige rapporteras närvarande vid träff 3, 4, "
                   "5 och 7.",
        },
    },
    "attendance_group_timeline": {
        "en": {
            "caption": "Who belonged to the group at each meeting (one row per pseudonym, coloured by role): a solid "
                       "band where the person was certainly a member, a hatched band where they may already have "
                       "left (the report dates no resignation), nothing before they joined. Dots and crosses are "
                       "attendance the data records (reported or inferred); no marker means the report does not "
                       "say. Meeting 6 is shaded.",
            "alt": "Timeline of eleven people over meetings 1 to 8. The six social secretaries and the LVM case "
                   "officer are certain members only at meeting 1, then possibly gone. The two original mentors "
                   "are present at meetings 1 to 3 by inference; the new mentor joins at meeting 4 and is "
                   "reported present at every meeting after. The expert is reported present at 3, 4, 5 and 7 and "
                   "absent at 6.",
        },
        "sv": {
            "caption": "Vilka som hörde till gruppen vid varje träff (en rad per pseudonym, färgad efter roll): ett "
                       "fyllt band där personen säkert var med, ett streckat band där personen kan ha slutat "
                       "(rapporten daterar ingen uppsägning), inget innan personen började. Punkter och kryss är "
                       "närvaro som data anger (rapporterad eller härledd); ingen markering betyder att rapporten "
                       "inte säger något. Träff 6 är skuggad.",
            "alt": "Tidslinje för elva personer över träff 1 till 8. De sex socialsekreterarna och "
                   "LVM-handläggaren är säkert med bara vid träff 1, därefter kanske slutade. De två första "
                   "mentorerna är närvarande vid träff 1 till 3 genom härledning; den nya mentorn börjar vid träff "
                   "4 och rapporteras närvarande vid varje träff därefter. Den sakkunnige rapporteras närvarande "
                   "vid träff 3, 4, 5 och 7 och frånvarande vid träff 6.",
        },
    },
    "agreement_kappa_by_code": {
        "en": {
            "caption": "Agreement between coder1 (an AI-assisted draft coding) and the keyword dictionary, per "
                       "top-level code: Cohen's kappa at segment level (filled dot, with its 95 % interval as a "
                       "bar) and at character level (open diamond). On the right, how many segments each coder "
                       "gave the code; a red triangle marks codes that fewer than five segments carry, whose kappa "
                       "rests on a handful of decisions. The dictionary was written by people who had read the "
                       "segments: the agreement is in-sample and optimistic.",
            "alt": "Dot plot of fourteen codes. Segment-level kappa is high (0.8 and above) for discretion, "
                   "personal-not-private, prejudice and exclusion and project process, middling for soft values "
                   "and perspective shift, and lowest for experiential knowledge and belonging. The intervals "
                   "are wide for codes with few segments; stress and professional confidence are flagged as "
                   "resting on fewer than five segments, and two unused codes have no kappa.",
        },
        "sv": {
            "caption": "Överensstämmelse mellan coder1 (en AI-assisterad utkastkodning) och nyckelordslistan, per "
                       "överordnad kod: Cohens kappa på segmentnivå (fylld punkt, med sitt 95 %-intervall som "
                       "stapel) och på teckennivå (öppen romb). Till höger hur många segment varje kodare gav "
                       "koden; en röd triangel markerar koder som färre än fem segment har, vars kappa vilar på "
                       "en handfull beslut. Ordlistan skrevs av personer som hade läst segmenten: "
                       "överensstämmelsen är inom urvalet och optimistisk.",
            "alt": "Punktdiagram över fjorton koder. Kappa på segmentnivå är högt (0,8 och mer) för "
                   "handlingsutrymme, personlig men inte privat, fördomar och utanförskap samt projektets "
                   "genomförande, medelhögt för mjuka värden och perspektivbyte, och lägst för "
                   "erfarenhetskunskap och gemenskap. Intervallen är breda för koder med få segment; stress och "
                   "trygghet i yrkesrollen är markerade som vilande på färre än fem segment, och två oanvända koder "
                   "har inget kappa.",
        },
    },
    "queries_coverage_by_meeting": {
        "en": {
            "caption": "Coverage by meeting, in percent of characters: for each top-level code (sub-codes included) "
                       "and meeting, the share of the characters of that meeting's segments (the evaluator's notes "
                       "and the quotations placed at the meeting) that are coded with it. Codings on passages not "
                       "placed at a meeting are not counted. A passage coded with several themes counts for each, "
                       "so a column can add up to more than 100.",
            "alt": "Heat map, top-level codes in rows and meetings 1 to 8 in columns, each cell the percentage of "
                   "the meeting's text coded with the code. Soft values cover most of meeting 5, prejudice and "
                   "exclusion most of meetings 6 to 8; stress covers no meeting's text.",
        },
        "sv": {
            "caption": "Täckning per träff, i procent av tecknen: för varje kod på översta nivån (underkoder "
                       "medräknade) och träff, andelen av tecknen i träffens segment (utvärderarens anteckningar och "
                       "citat som knyts till träffen) som är kodade med den. Kodningar av passager som inte knyts "
                       "till någon träff räknas inte. En passage med flera teman räknas för vart och ett, så en "
                       "kolumn kan summera till mer än 100.",
            "alt": "Värmekarta med koder på översta nivån i rader och träff 1 till 8 i kolumner; varje cell är "
                   "andelen av träffens text som är kodad med koden. Mjuka värden täcker det mesta av träff 5, "
                   "fördomar och utanförskap det mesta av träff 6 till 8; stress täcker ingen träffs text.",
        },
    },
    "queries_words_by_role": {
        "en": {
            "caption": "The most frequent words in the social secretaries' and the service-user mentors' quoted "
                       "words, grouped by Snowball stem and shown by their most frequent form: each group's eight "
                       "most frequent, Swedish stop words left out, as a share of all words counted for that group; "
                       "bars are labelled with the number of occurrences. The mentors' quoted words are so few that "
                       "each of their bars is a single occurrence.",
            "alt": "Two bar charts side by side. Social secretaries: gruppen most frequent, then hit, mer, går, "
                   "kommer and mötet. Service-user mentors: eight words, each occurring once.",
        },
        "sv": {
            "caption": "De vanligaste orden i socialsekreterarnas och brukarmentorernas citerade ord, grupperade "
                       "efter Snowball-stam och visade i sin vanligaste form: varje grupps åtta vanligaste, svenska "
                       "stoppord borttagna, som andel av alla räknade ord för gruppen; staplarna anger antalet "
                       "förekomster. Mentorerna citeras med så få ord att varje stapel är en enda förekomst.",
            "alt": "Två stapeldiagram bredvid varandra. Socialsekreterarna: gruppen vanligast, sedan hit, mer, "
                   "går, kommer och mötet. Brukarmentorerna: åtta ord, vart och ett en gång.",
        },
    },
    "survey_answers": {
        "en": {
            "caption": "How many respondents gave each answer, per statement and group, from the per-respondent "
                       "answers in survey_responses.csv (1 = do not agree at all, on the left; the highest answer on "
                       "the right). Each statement has a bar per group and one for all respondents; n at the end of "
                       "a bar is its number of answers. Counts, not shares: the groups are a handful of people.",
            "alt": "Horizontal stacked bar chart, one bar per statement and respondent group plus one for all "
                   "respondents, each divided into the number of respondents who gave each answer.",
        },
        "sv": {
            "caption": "Hur många svarande som gav varje svar, per påstående och grupp, ur de enskilda svaren i "
                       "survey_responses.csv (1 = håller inte med alls, till vänster; det högsta svaret till höger). "
                       "Varje påstående har en stapel per grupp och en för alla svarande; n vid stapelns slut är "
                       "antalet svar. Antal, inte andelar: grupperna är en handfull personer.",
            "alt": "Liggande staplat stapeldiagram, en stapel per påstående och svarandegrupp och en för alla "
                   "svarande, var och en uppdelad i antalet svarande som gav varje svar.",
        },
    },
    "survey_answers_synthetic": {
        "en": {
            "caption": "SYNTHETIC DATA, made up to show the figure and the means check; not the survey's answers, "
                       "which the report does not publish. How many of seven invented respondents gave each answer "
                       "to S1 and S5, per group and for all respondents (1 = do not agree at all, on the left).",
            "alt": "Stacked bar chart of invented answers (synthetic data) to two statements, S1 and S5, one bar "
                   "per group and one for all seven respondents, divided into the number giving each answer.",
        },
        "sv": {
            "caption": "SYNTETISKA DATA, påhittade för att visa figuren och kontrollen av medelvärdena; inte "
                       "enkätens svar, som rapporten inte publicerar. Hur många av sju påhittade svarande som gav "
                       "varje svar på S1 och S5, per grupp och för alla svarande (1 = håller inte med alls, till "
                       "vänster).",
            "alt": "Staplat stapeldiagram över påhittade svar (syntetiska data) på två påståenden, S1 och S5, en "
                   "stapel per grupp och en för alla sju svarande, uppdelad i antalet som gav varje svar.",
        },
    },
}
