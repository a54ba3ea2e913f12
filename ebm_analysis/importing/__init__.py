"""Importing a study's own material: transcripts and notes into excerpts and observations.

One module per format (:mod:`.plain` for .txt/.md, :mod:`.word` for .docx,
:mod:`.opendocument` for .odt, :mod:`.timed` for .vtt/.srt), the speaker map
(:mod:`.speakers`), the splitting into segments (:mod:`.segmenting`) and the
writer (:mod:`.writer`), which pseudonymises (:mod:`ebm_analysis.pseudonymise`)
and stores everything in one step under the data folder's lock.
"""
