"""Figure and table labels in English and Swedish.

The label language of a whole run comes from the ``EBM_LANG`` environment
variable (``en`` or ``sv``), which ``make report LANG=sv`` sets for the
notebook kernels through ``python -m ebm_analysis report --lang sv``; every
plotting function also takes ``lang=`` explicitly.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "sv")

LABELS: dict[str, dict[str, str]] = {
    "meeting": {"en": "Meeting", "sv": "Träff"},
    "count": {"en": "Number", "sv": "Antal"},
    "role": {"en": "Role", "sv": "Roll"},
    "social_secretary": {"en": "Social secretaries", "sv": "Socialsekreterare"},
    "lvm_case_officer": {"en": "LVM case officer", "sv": "LVM-handläggare"},
    "service_user_mentor": {"en": "Service-user mentors", "sv": "Brukarmentorer"},
    "expert_social_secretary": {"en": "Expert social secretary", "sv": "Sakkunnig socialsekreterare"},
    "unknown": {"en": "Unknown", "sv": "Okänd"},
    "observer": {"en": "Evaluator's notes", "sv": "Utvärderarens anteckningar"},
    "interview": {"en": "Interview", "sv": "Intervju"},
    "survey_comment": {"en": "Survey comment", "sv": "Enkätkommentar"},
    "observation_note": {"en": "Meeting notes", "sv": "Mötesanteckningar"},
    "present": {"en": "Present", "sv": "Närvarande"},
    "absent": {"en": "Absent", "sv": "Frånvarande"},
    "not_yet_member": {"en": "Not yet a member", "sv": "Ännu inte med i projektet"},
    "no_longer_member": {"en": "No longer a member", "sv": "Inte längre med i projektet"},
    "not_a_participant": {"en": "Not a participant", "sv": "Inte deltagare"},
    "document": {"en": "Document", "sv": "Dokument"},
    "reported": {"en": "Reported", "sv": "Rapporterat"},
    "inferred": {"en": "Inferred", "sv": "Härlett"},
    "synthetic": {"en": "SYNTHETIC DATA", "sv": "SYNTETISKA DATA"},
    # survey answers (ebm_analysis.plotting.survey.plot_answer_counts)
    "social_secretaries": {"en": "Social secretaries", "sv": "Socialsekreterare"},
    "service_user_mentors": {"en": "Service-user mentors", "sv": "Brukarmentorer"},
    "all_respondents": {"en": "All respondents", "sv": "Alla svarande"},
    "answers_title": {"en": "Answers per statement and group", "sv": "Svar per påstående och grupp"},
    "answers_x": {"en": "Number of answers", "sv": "Antal svar"},
    "answer": {"en": "Answer", "sv": "Svar"},
    "answer_low": {"en": "do not agree at all", "sv": "håller inte med alls"},
    "answer_high": {"en": "agree fully", "sv": "håller helt med"},
    "synthetic_means_check": {"en": "SYNTHETIC answers: the printed means recomputed",
                              "sv": "SYNTETISKA svar: de tryckta medelvärdena omräknade"},
}


def current_language() -> str:
    """The label language of this run: ``EBM_LANG`` if set to en/sv, else ``en``.

    Examples
    --------
    >>> current_language() in LANGUAGES
    True
    """
    lang = os.environ.get("EBM_LANG", "en")
    return lang if lang in LANGUAGES else "en"


def label(key: str, lang: str | None = None) -> str:
    """The label for ``key`` in ``lang`` (default: the run's language); the key itself if unknown.

    Examples
    --------
    >>> label("meeting", "sv")
    'Träff'
    >>> label("no_such_key", "en")
    'no_such_key'
    """
    lang = lang or current_language()
    if lang not in LANGUAGES:
        raise ValueError(f"label language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return LABELS.get(key, {}).get(lang, key)
