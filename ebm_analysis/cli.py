"""The command line: ``python -m ebm_analysis <command>`` (also ``ebm-analysis``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ebm_analysis.errors import DataError


def _check(args: argparse.Namespace) -> int:
    import pandas as pd

    from ebm_analysis.autocode import DICTIONARY_FILE, load_dictionary
    from ebm_analysis.errors import excerpt, printable
    from ebm_analysis.privacy import scan_folder
    from ebm_analysis.project import default_data_dir, load_project
    from ebm_analysis.reading import formula_cells

    folder = Path(args.data_dir) if args.data_dir else default_data_dir()
    name = printable(folder.name or str(folder), 200)
    try:
        project = load_project(folder)
    except DataError as err:
        print(f"{name}/: the data has problems.\n{err}", file=sys.stderr)
        code, project = 1, None
    else:
        print(f"{name}/: all tables valid.")
        print(project.summary().to_string(index=False))
        code = 0
    if not folder.is_dir():
        return code
    if os.path.lexists(folder / DICTIONARY_FILE):
        try:
            keywords = load_dictionary(folder, codebook=project.codebook if project is not None else None)
        except DataError as err:
            print(f"\n{DICTIONARY_FILE} (the keyword dictionary) has problems.\n{err}", file=sys.stderr)
            code = 1
        else:
            print(f"\n{DICTIONARY_FILE}: {len(keywords)} keywords, all valid.")
    if project is not None and (folder / "memos").is_dir():
        from ebm_analysis.memos import load_memos

        try:
            memos = load_memos(folder, project=project)
        except DataError as err:
            print(f"\nmemos/ (the researcher's memos) has problems.\n{err}", file=sys.stderr)
            code = 1
        else:
            print(f"\nmemos/: {len(memos)} memo(s), all valid.")
    formulas = formula_cells(folder)
    if formulas:
        print(f"\nWarning: {len(formulas)} cell(s) begin with =, +, - or @, which spreadsheet programs "
              "(Excel, LibreOffice) run as a formula when the file is opened:")
        for file, line, column, value in formulas:
            print(f"  - {file}, line {line}, column '{printable(column, 60)}': {excerpt(value, 40)}")
        print("Put an apostrophe in front of each (the workbench reads '=x as =x) or reword it; "
              "files the workbench writes are escaped this way.")
    try:
        warnings = scan_folder(folder)
    except DataError as err:
        print(f"\nThe identifier scan could not run.\n{err}", file=sys.stderr)
        return 1
    if len(warnings):
        print(f"\nWarning: {len(warnings)} possible personal identifier(s) found; "
              "pseudonymised research data must not hold them:")
        for w in warnings.itertuples(index=False):
            where = f"{printable(w.file, 200)}, line {w.line}" if pd.notna(w.line) else printable(w.file, 200)
            if pd.notna(w.column):
                where += f", column '{printable(str(w.column), 60)}'"
            print(f"  - {where}: {w.kind} {excerpt(w.value, 60)}")
        print("Replace each with a pseudonym or remove it, then run the check again.")
    if args.source:
        code = max(code, _check_sources(folder, args.source, data_ok=code == 0))
    return code


def _check_sources(folder: Path, sources: list[str], data_ok: bool) -> int:
    """``check --source``: every value citing the report, against each rendering given."""
    from ebm_analysis.source_check import (check_source, coverage_problems, quotation_coverage, read_source,
                                           source_problems)

    if not data_ok:
        print("\nThe check against the report was not run: correct the problems above first.", file=sys.stderr)
        return 1
    code = 0
    for path in sources:
        source = read_source(path)
        result = check_source(folder, [source])
        problems = source_problems(result) + coverage_problems(quotation_coverage(folder, source), source)
        with_variant = int((result["found"] & (result["variants"] != "")).sum())
        if problems:
            code = 1
            print(f"\n{source.name}: {len(problems)} mismatch(es) in {len(result)} values checked:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        else:
            print(f"\n{source.name}: all {len(result)} values that cite the report found in it"
                  + (f" ({with_variant} through a listed difference between the renderings)" if with_variant else "")
                  + "; every quotation of its findings stored or listed as left out.")
    return code


def _survey(args: argparse.Namespace) -> int:
    from ebm_analysis import survey
    from ebm_analysis.project import load_project

    project = load_project(args.data_dir)
    if project.survey_means.empty:
        print(f"{project.path.name}/: no survey means in this data folder (survey_means.csv has no rows).")
        return 0
    summary = survey.survey_summary(project.survey_items, project.survey_means)
    if args.format == "json":
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(survey.format_summary_table(summary))
        _print_answers_check(project)
    return 0


def _print_answers_check(project) -> None:
    """``survey``: each printed mean against the per-respondent answers, when the folder has them."""
    from ebm_analysis import survey
    from ebm_analysis.survey_answers import common_scale

    if project.survey_responses.empty:
        print("\nNo per-respondent answers in this data folder (survey_responses.csv has no rows): "
              "the printed means cannot be recomputed.")
        return
    check = survey.means_check(project.survey_responses, project.survey_means,
                               common_scale(project.survey_items, default=(1, 4)))
    print("\nThe printed means recomputed from the answers in survey_responses.csv:")
    for note in check["note"]:
        print(f"  - {note}")


def _export_qdpx(args: argparse.Namespace) -> int:
    from ebm_analysis.interchange import export_qdpx
    from ebm_analysis.project import load_project

    print(f"wrote {export_qdpx(load_project(args.data_dir), args.out, overwrite=args.force)}")
    return 0


def _export_qdc(args: argparse.Namespace) -> int:
    from ebm_analysis.interchange import export_qdc
    from ebm_analysis.project import load_project

    print(f"wrote {export_qdc(load_project(args.data_dir), args.out, overwrite=args.force)}")
    return 0


def _import_qdpx(args: argparse.Namespace) -> int:
    import signal

    from ebm_analysis.interchange import import_qdpx
    from ebm_analysis.refi.archive import DEFAULT_LIMITS, MiB
    from ebm_analysis.refi.importer import import_notes

    def mib(value):
        return None if value is None else int(value * MiB)

    limits = DEFAULT_LIMITS.changed(member_bytes=mib(args.max_source_mb), xml_bytes=mib(args.max_xml_mb),
                                   total_bytes=mib(args.max_total_mb), ratio=args.max_ratio,
                                   members=args.max_files, xml_elements=args.max_xml_elements)
    # a time limit or `kill` sends SIGTERM: end like Ctrl-C, so the unfinished folder is removed
    signal.signal(signal.SIGTERM, _exit_on_signal)
    project = import_qdpx(args.qdpx, args.data_dir, overwrite=args.overwrite, limits=limits)
    print(f"imported {args.qdpx} into {args.data_dir}/")
    print(project.summary().to_string(index=False))
    notes = import_notes(args.data_dir)
    if notes:
        print(f"\nNot recovered ({len(notes)}; also in {Path(args.data_dir).name}/IMPORTED_FROM_REFI.md):")
        for note in notes:
            print(f"  - {note}")
    return 0


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
        return value
    return parse


def _agreement(args: argparse.Namespace) -> int:
    from ebm_analysis.agreement import agreement_report

    if args.other:
        from ebm_analysis.coders import coder_agreement_report

        print(coder_agreement_report(args.data_dir, args.coder, args.other, level=args.level))
        return 0
    print(agreement_report(args.data_dir, coder=args.coder, level=args.level))
    return 0


def _report(args: argparse.Namespace) -> int:
    from ebm_analysis.report import NotebookFailed, PdfFailed, build_report

    try:
        kwargs = {"out": Path(args.out)} if args.out else {}
        build_report(args.lang, show_code=args.code, run=not args.saved, make_pdf=not args.no_pdf, **kwargs)
    except (NotebookFailed, PdfFailed) as err:
        print(f"the report was not built: {err}", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------- the coding store's commands

def _folder(args: argparse.Namespace) -> Path:
    from ebm_analysis.project import default_data_dir

    return Path(args.data_dir) if args.data_dir else default_data_dir()


def _log(args: argparse.Namespace) -> int:
    from ebm_analysis.changelog import log_table

    folder = _folder(args)
    table = log_table(folder, coder=args.coder, since=args.since, action=args.action)
    if args.format == "json":
        print(table.astype(object).where(table.notna(), None).to_json(orient="records", force_ascii=False, indent=1))
        return 0
    if table.empty:
        print(f"{folder.name}/: no changes logged" + (" (no changes.jsonl)" if not (folder / "changes.jsonl").exists()
                                                      else " that match") + ".")
        return 0
    for row in table.itertuples(index=False):
        reason = f"  — {row.reason}" if isinstance(row.reason, str) else ""
        undoes = f" (undoes change {row.undoes})" if not _missing(row.undoes) else ""
        print(f"{row.seq:>6}  {row.time}  {row.coder:<12} {row.action}: {row.what}{undoes}{reason}")
    return 0


def _compact(args: argparse.Namespace) -> int:
    from ebm_analysis.coding import CodingStore

    store = CodingStore.open(args.data_dir or None, coder=args.coder)
    for path in store.cleaned:
        print(f"removed a temporary file left by an interrupted save: {path.name}")
    written = store.compact()
    print(f"{store.folder.name}/: " + (f"wrote {', '.join(written)} (change log entry {store.sequence})" if written
                                      else "the snapshot files were already up to date"))
    return 0


def _undo(args: argparse.Namespace) -> int:
    from ebm_analysis.coding import CodingStore

    store = CodingStore.open(args.data_dir or None, coder=args.coder)
    done = store.undo(coder=args.coder, reason=args.reason)
    print(f"undid “{done}” (change log entry {store.sequence})")
    return 0


def _repair_spans(args: argparse.Namespace) -> int:
    from ebm_analysis.repair import repair_spans

    plan = repair_spans(args.data_dir or None, coder=args.coder, dry_run=args.dry_run)
    if plan.empty:
        print("every span coding covers the text it was made on; nothing to repair.")
        return 0
    verb = {"moved": "would move" if args.dry_run else "moved",
            "recorded": "would record" if args.dry_run else "recorded"}
    for r in plan.itertuples(index=False):
        where = f"{r.start}–{r.end}" + (f" → {r.new_start}–{r.new_end}" if r.status in ("moved", "duplicate") else "")
        print(f"  {r.coding_id} ({r.code_id} on {r.segment_id}, {where}): {verb.get(r.status, r.status)}; {r.detail}")
    left = plan[~plan["status"].isin(["moved", "recorded"])]
    if len(left):
        print(f"{len(left)} coding(s) left as they are: fix them by hand (start, end and span_text in codings.csv), "
              "or remove them.")
        return 1
    return 0


def _redact(args: argparse.Namespace) -> int:
    from ebm_analysis.redaction import redact

    text = sys.stdin.readline().rstrip("\r\n") if args.text == "-" else args.text
    report = redact(text, args.data_dir or None, placeholder=args.placeholder, coder=args.coder, reason=args.reason)
    for file, count in report.replacements.items():
        if count:
            print(f"  {file}: {count} replaced")
    if report.moved:
        print(f"  {len(report.moved)} span coding(s) moved with the edited text")
    for rel in report.deleted:
        print(f"  deleted {rel}/ (rebuilt when needed)")
    print(f"replaced {report.total} occurrence(s) with {report.placeholder}; the change log records the redaction, "
          "not the text. Copies outside the data folder (git history, figures, reports) are not touched.")
    return 0


def _import_survey(args: argparse.Namespace) -> int:
    from ebm_analysis.survey_import import import_survey

    result = import_survey(args.file, args.data, replace=args.replace, append=args.append,
                           dry_run=args.dry_run, sheet=args.sheet)
    print(result.summary())
    return 0


def _survey_import_commands(sub) -> None:
    p = sub.add_parser("import-survey", help="import per-respondent survey answers (CSV or .xlsx, wide or long) "
                                             "into survey_responses.csv, checked against survey_items.csv")
    p.add_argument("file", help="a .csv or .xlsx file: one row per respondent and one column per statement (wide), "
                                "or the columns respondent_id, group, item, answer (long)")
    p.add_argument("--data", metavar="DATA_DIR", help="data folder (default: EBM_DATA_DIR or the bundled EBM data)")
    p.add_argument("--sheet", help="the worksheet of an .xlsx file (default: the first)")
    p.add_argument("--dry-run", action="store_true", help="check the file and say what would be imported; write nothing")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", help="replace every answer already in survey_responses.csv")
    mode.add_argument("--append", action="store_true",
                      help="add to the answers already there (every respondent must be new)")
    p.set_defaults(func=_import_survey)


def _store_commands(sub) -> None:
    p = sub.add_parser("log", help="print the change log: who changed which coding or code, when, and why")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--coder", help="only this coder's changes")
    p.add_argument("--since", help="only changes at or after this UTC date or time, e.g. 2016-03-01")
    p.add_argument("--action", help="only this action, e.g. 'add coding'")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_log)

    p = sub.add_parser("compact", help="rewrite codings.csv and codebook.csv from the change log")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--coder", default="compact", help="logged as who compacted")
    p.set_defaults(func=_compact)

    p = sub.add_parser("undo", help="take back a coder's last change (also from an earlier session)")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--coder", required=True, help="whose change to take back")
    p.add_argument("--reason", help="written into the change log")
    p.set_defaults(func=_undo)

    p = sub.add_parser("repair-spans", help="move span codings to where their text now is, after a text edit")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--dry-run", action="store_true", help="only say what would be done")
    p.add_argument("--coder", default="repair-spans", help="logged as who repaired")
    p.set_defaults(func=_repair_spans)

    p = sub.add_parser("redact", help="replace a text with a placeholder in every file of the data folder, "
                                      "the change log and kept versions included")
    p.add_argument("text", help="the text to erase; '-' reads it from standard input (keeps it out of the "
                                "shell history)")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--placeholder", default="[REDACTED]")
    p.add_argument("--coder", default="unknown", help="logged as who redacted")
    p.add_argument("--reason", help="logged (must not contain the text)")
    p.set_defaults(func=_redact)


def _missing(value) -> bool:
    return value is None or str(value) == "<NA>"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all commands."""
    parser = argparse.ArgumentParser(prog="ebm-analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate a data folder and scan it for personal identifiers")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--source", action="append", default=[], metavar="REPORT.txt",
                   help="also check every value that cites the report against this text of it "
                        "(plain text, or Markdown if it ends in .md); repeat for each rendering")
    p.set_defaults(func=_check)

    p = sub.add_parser("survey", help="the reported survey table with consistency verdicts")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_survey)

    p = sub.add_parser("export-qdpx", help="export the project as REFI-QDA .qdpx (NVivo, ATLAS.ti, MAXQDA, QualCoder)")
    p.add_argument("out", help="the .qdpx file to write (outside the data folder)")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(func=_export_qdpx)

    p = sub.add_parser("export-qdc", help="export the codebook as REFI-QDA .qdc")
    p.add_argument("out", help="the .qdc file to write (outside the data folder)")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(func=_export_qdc)

    p = sub.add_parser("import-qdpx", help="import a REFI-QDA .qdpx into a new data folder")
    p.add_argument("qdpx", help="the .qdpx file to read")
    p.add_argument("data_dir", help="the data folder to create (must not hold files)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a non-empty folder (the old one is kept as <folder>.backup-N)")
    limits = p.add_argument_group("archive limits (raise only for a file you trust; defaults fit real projects)")
    limits.add_argument("--max-source-mb", type=_positive(float), metavar="MB",
                        help="largest text of one source, unpacked (default 32)")
    limits.add_argument("--max-xml-mb", type=_positive(float), metavar="MB",
                        help="largest project.qde, unpacked (default 128)")
    limits.add_argument("--max-total-mb", type=_positive(float), metavar="MB",
                        help="largest total read from the archive (default 512)")
    limits.add_argument("--max-ratio", type=_positive(int), metavar="N",
                        help="largest compression ratio of a file over 1 MiB (default 100)")
    limits.add_argument("--max-files", type=_positive(int), metavar="N",
                        help="most files in the archive (default 100000)")
    limits.add_argument("--max-xml-elements", type=_positive(int), metavar="N",
                        help="most XML elements in project.qde (default 5000000)")
    p.set_defaults(func=_import_qdpx)

    p = sub.add_parser("agreement", help="agreement between a coder and the dictionary coder, per code")
    p.add_argument("data_dir", nargs="?", help="data folder (default: the bundled EBM data)")
    p.add_argument("--coder", default="coder1", help="the human coder to compare (default: coder1)")
    p.add_argument("--other", help="compare with this coder (e.g. coder2, consensus) instead of the dictionary coder")
    p.add_argument("--level", choices=("top", "code"), default="top",
                   help="top-level themes (sub-codes rolled up) or every code")
    p.set_defaults(func=_agreement)

    p = sub.add_parser("report", help="execute every notebook and write reports/ (HTML per language, and a PDF)")
    p.add_argument("--lang", nargs="+", choices=("en", "sv"), default=["en", "sv"],
                   help="the languages to build, into reports/<lang>/ (default: both)")
    p.add_argument("--code", action="store_true", help="show code cells in the HTML")
    p.add_argument("--saved", action="store_true",
                   help="render the notebooks' saved outputs instead of executing them (fast; English outputs)")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF (which needs Chromium)")
    p.add_argument("--out", help="output folder (default: reports/ of the project)")
    p.set_defaults(func=_report)

    _store_commands(sub)
    _survey_import_commands(sub)
    from ebm_analysis.cli_codebook import add_commands

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from ebm_analysis.cli_codebook import parse

    args = parse(build_parser(), argv)
    try:
        return args.func(args)
    except DataError as err:
        print(str(err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output was piped into a program that stopped reading (e.g. head)
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file or folder the command needed: say which, without a traceback
        from ebm_analysis.errors import printable

        where = f": {printable(str(exc.filename), 300)}" if exc.filename else ""
        print(f"error: {printable(exc.strerror or str(exc), 200)}{where}", file=sys.stderr)
        return 1
