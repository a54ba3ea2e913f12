"""Pseudonymisation (ebm_analysis.pseudonymise): stable pseudonyms, a reversible key kept outside the data folder."""

from __future__ import annotations

import stat

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from ebm_analysis import DataError
from ebm_analysis.importing.speakers import Speaker, read_speaker_map
from ebm_analysis.pseudonymise import (build_key, pseudonymise, read_key, read_names_list, reidentify,
                                       refuse_inside, write_key)

SPEAKERS = {"anna berg": Speaker("Anna Berg", "SS1", "social_secretary", "[SS1]"),
            "lisa holm": Speaker("Lisa Holm", "BM1", "service_user_mentor", "[BM1]")}


def test_round_trip_with_the_key(tmp_path):
    key = build_key(SPEAKERS, [("Olle Strand", None)])
    text = ("Anna Berg sa att Lisa Holm ringde Olle Strand på 070-123 45 67 och mejlade olle@example.se; "
            "pnr 811218-9876.")
    new, done, key = pseudonymise(text, key)
    assert new == "[SS1] sa att [BM1] ringde [PERSON1] på [PHONE1] och mejlade [EMAIL1]; pnr [PNR1]."
    assert done["kind"].tolist() == ["name", "name", "name", "phone", "email", "personnummer"]
    write_key(tmp_path / "private" / "key.csv", key, tmp_path / "data")
    assert reidentify(new, read_key(tmp_path / "private" / "key.csv")) == text


def test_pseudonyms_are_stable_across_texts_and_imports(tmp_path):
    key = build_key(SPEAKERS, [])
    _, _, key = pseudonymise("Ring 070-111 22 33.", key)
    write_key(tmp_path / "key.csv", key, tmp_path / "data")
    again = build_key(SPEAKERS, [("Per Ek", None)], read_key(tmp_path / "key.csv"))
    new, _, again = pseudonymise("Per Ek: 070-999 88 77, inte 070-111 22 33.", again)
    assert new == "[PERSON1]: [PHONE2], inte [PHONE1]."


def test_names_ignore_case_and_take_a_genitive_but_name_parts_need_their_capital():
    key = build_key(SPEAKERS, [])
    new, _, _ = pseudonymise("ANNA BERG och Annas kollega klättrade på ett berg med Holm.", key)
    assert new == "[SS1] och [SS1]s kollega klättrade på ett berg med [BM1]."


def test_a_shared_name_part_is_not_given_to_either_speaker():
    speakers = {**SPEAKERS, "anna lund": Speaker("Anna Lund", "SS2", "social_secretary", "[SS2]")}
    key = build_key(speakers, [])
    assert "Anna" not in key["original"].tolist()
    assert pseudonymise("Anna Lund och Anna Berg", key)[0] == "[SS2] och [SS1]"


def test_reidentify_gives_the_first_original_of_a_shared_pseudonym():
    key = build_key(SPEAKERS, [])
    new, _, _ = pseudonymise("Lisa och Lisa Holm", key)
    assert new == "[BM1] och [BM1]" and reidentify(new, key) == "Lisa Holm och Lisa Holm"


def test_key_inside_the_data_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with pytest.raises(DataError, match="inside the data folder"):
        write_key(data / "sub" / "key.csv", build_key(SPEAKERS), data)
    link = tmp_path / "outside"
    link.symlink_to(data)
    with pytest.raises(DataError, match="inside the data folder"):
        refuse_inside(link / "key.csv", data, "the pseudonym key")
    assert not (data / "sub").exists()


def test_key_is_private(tmp_path):
    path = write_key(tmp_path / "key.csv", build_key(SPEAKERS), tmp_path / "data")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_malformed_key_is_refused(tmp_path):
    (tmp_path / "key.csv").write_text("pseudonym,original,kind\nBM1,Lisa,speaker\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"key.csv, line 2.*pseudonym such as \[BM1\]"):
        read_key(tmp_path / "key.csv")


def test_names_list_and_speaker_map_errors(tmp_path):
    (tmp_path / "names.txt").write_text("Lisa Ek,XX3\n", encoding="utf-8")
    with pytest.raises(DataError, match="names.txt, line 1.*participant id"):
        read_names_list(tmp_path / "names.txt")
    (tmp_path / "map.csv").write_text("speaker,participant_id,role\nAnna,SS1,mentor\nAnna,,unknown\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_speaker_map(tmp_path / "map.csv")
    message = str(err.value)
    assert "line 2, column 'role': found 'mentor'" in message and "'Anna' again" in message
    assert "needs a pseudonym" in message


_NAME = st.sampled_from(["Anna Berg", "Lisa Holm", "Olle Strand", "Anna", "Holm"])
_WORD = st.sampled_from(["och", "sa", "berg", "holm", "en", "tid", "."])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(_NAME, _WORD), max_size=20))
def test_round_trip_property(words):
    """Texts that write each person one way come back exactly; no listed name is left."""
    key = build_key({k: v for k, v in SPEAKERS.items()}, [("Olle Strand", None)])
    canonical = {"Anna": "Anna Berg", "Holm": "Lisa Holm"}
    text = " ".join(canonical.get(w, w) for w in words)
    new, _, key = pseudonymise(text, key)
    assert not any(name in new for name in ("Anna", "Lisa", "Olle", "Holm", "Berg", "Strand"))
    assert reidentify(new, key) == text


def test_key_frame_columns():
    key = build_key(SPEAKERS, [("Per", "SS2")])
    assert list(key.columns) == ["pseudonym", "original", "kind"]
    assert key.dtypes.tolist() == [pd.StringDtype()] * 3
    assert key.iloc[-1].tolist() == ["[SS2]", "Per", "name"]
