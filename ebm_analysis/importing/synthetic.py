"""A small SYNTHETIC study to show and test the import: invented people, invented words.

Nothing here comes from the EBM evaluation. :func:`write_synthetic_study`
writes, under a folder of your choice, a new data folder with two meetings
and four participants, and beside it (outside the data folder, as real
material would be) the documents of the study and the private files that
hold the invented names: the speaker map and the names list. Used by
notebook 07 and by the tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ebm_analysis import atomic
from ebm_analysis.newproject import new_project

__all__ = ["write_synthetic_study", "SYNTHETIC_CODES"]

SECTION = "synthetic study (ebm_analysis.importing.synthetic)"

_MEETINGS = [
    (1, "2024-02", "Att mötas", "Meeting each other", "yes"),
    (2, "2024-03", "Det svåra samtalet", "The difficult conversation", "yes"),
]
_PARTICIPANTS = [
    ("SS1", "social_secretary", "socialsekreterare"),
    ("SS2", "social_secretary", "socialsekreterare"),
    ("BM1", "service_user_mentor", "brukarmentor"),
    ("SK1", "expert_social_secretary", "sakkunnig socialsekreterare"),
]
#: The codebook of the synthetic study: code_id, name_sv, name_en, definition.
SYNTHETIC_CODES = [
    ("stress", "stress", "stress", "Talk of pressure, workload or strain in the job."),
    ("trust", "tillit", "trust", "Talk of trust between social secretaries and service users."),
    ("learning", "lärande", "learning", "Talk of what someone learnt from another's experience."),
]

SPEAKER_MAP = """speaker,participant_id,role,pseudonym
Anna Berg,SS1,social_secretary,
Maja Lund,SS2,social_secretary,
Lisa Holm,BM1,service_user_mentor,
Erik Sand,SK1,expert_social_secretary,
Karin Ek,,not_a_participant,[INT1]
"""
NAMES = "# people mentioned who are not speakers\nOlle Strand\n"

INTERVIEW = [
    "Karin Ek: Hur har de första månaderna varit?",
    "Anna Berg: Stressigt. Det är mycket krav och jag hinner inte med allt.",
    "Men träffarna med Lisa har gett mig lugn. Min chef Olle Strand sa att jag kan ta den tiden.",
    "Karin Ek: Vad har du lärt dig av mentorerna?",
    "Anna Berg: Att lyssna först. Lisas berättelse om sitt första möte med socialtjänsten fick mig att förstå "
    "hur en klient kan känna sig. Ring mig gärna på 070-123 45 67 om du vill veta mer.",
]
MEETING_VTT = """WEBVTT

00:00:05.000 --> 00:00:09.500
<v Lisa Holm>När jag kom till socialtjänsten första gången litade jag inte på någon.

00:00:09.500 --> 00:00:12.000
<v Lisa Holm>Det som hjälpte var att handläggaren var ärlig.

00:00:12.500 --> 00:00:16.000
<v Maja Lund>Hur bygger man den tilliten när man har så ont om tid?

00:00:16.500 --> 00:00:21.000
<v Erik Sand>Genom att göra det man har lovat, Maja. Varje gång.
"""
NOTES = [
    "Gruppen samlades i ett mindre rum. Lisa Holm inledde med sin berättelse.",
    "Samtalet handlade om tillit och om hur svårt det är att hinna med när arbetsbelastningen är hög.",
    "Flera socialsekreterare sa att de tar med sig rådet att vara ärlig om vad man kan lova.",
]


def _csv(rows: list[dict]) -> str:
    return atomic.frame_to_csv_text(pd.DataFrame(rows).astype("string"))


def write_synthetic_study(home: str | Path) -> dict[str, Path]:
    """Write the synthetic study under ``home``; return its paths by name.

    Returns
    -------
    dict of str to Path
        ``data`` (the data folder), ``speaker_map``, ``names``, ``key``
        (where the key is to be written), ``interview`` (.docx),
        ``meeting`` (.vtt), ``notes`` (.odt); all but ``data`` outside the
        data folder.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_synthetic_study(tempfile.mkdtemp())
    >>> sorted(paths)
    ['data', 'interview', 'key', 'meeting', 'names', 'notes', 'speaker_map']
    """
    import docx
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    home = Path(home)
    data = new_project(home / "study")
    meetings = [{"meeting": str(n), "month": month, "month_basis": "reported", "month_reasoning": "synthetic",
                 "theme_sv": sv, "theme_en": en, "theme_narrative_sv": "", "observed": observed,
                 "observed_table": "", "observed_reasoning": "synthetic", "talked_about_sv": sv,
                 "talked_about_en": en, "other_topics_sv": "-", "other_topics_en": "-", "section": SECTION}
                for n, month, sv, en, observed in _MEETINGS]
    people = [{"participant_id": pid, "role": role, "role_sv": role_sv, "joined_meeting": "1",
               "joined_basis": "reported", "left_project": "no", "left_basis": "reported", "answered_survey": "no",
               "tenure_at_start": "unknown" if role == "social_secretary" else "not_applicable",
               "introduction_track": "unknown" if role == "social_secretary" else "not_applicable",
               "note": "synthetic", "section": SECTION} for pid, role, role_sv in _PARTICIPANTS]
    atomic.write_text_atomic(data / "meetings.csv", _csv(meetings), keep_previous=False)
    atomic.write_text_atomic(data / "participants.csv", _csv(people), keep_previous=False)
    private = home / "private"
    private.mkdir()
    (private / "speakers.csv").write_text(SPEAKER_MAP, encoding="utf-8")
    (private / "names.txt").write_text(NAMES, encoding="utf-8")
    material = home / "material"
    material.mkdir()
    document = docx.Document()
    for paragraph in INTERVIEW:
        document.add_paragraph(paragraph)
    document.save(material / "interview_ss1.docx")
    (material / "meeting2.vtt").write_text(MEETING_VTT, encoding="utf-8")
    notes = OpenDocumentText()
    for paragraph in NOTES:
        notes.text.addElement(P(text=paragraph))
    notes.save(str(material / "notes_meeting2.odt"))
    return {"data": data, "speaker_map": private / "speakers.csv", "names": private / "names.txt",
            "key": private / "key.csv", "interview": material / "interview_ss1.docx",
            "meeting": material / "meeting2.vtt", "notes": material / "notes_meeting2.odt"}
