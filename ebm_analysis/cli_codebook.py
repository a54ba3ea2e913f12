"""Command-line commands for the codebook and a second coder: ``code …``, ``coder-copy``, ``merge-coder``.

``python -m ebm_analysis code rename|move|merge|retire|delete …`` reshape the
codebook through the coding store (:mod:`ebm_analysis.codebook_ops`), each
one transaction that ``python -m ebm_analysis undo --coder NAME`` takes back.
``coder-copy`` and ``merge-coder`` are the second coder's round trip
(:mod:`ebm_analysis.coders`).
"""

from __future__ import annotations

import argparse

__all__ = ["add_commands", "parse"]


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; for this module's commands a DATA_DIR may also come after the options."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "places", None) is None or any(x.startswith("-") for x in extra):
            parser.error("unrecognized arguments: " + " ".join(extra))
        args.places = [*args.places, *extra]
    return args


def _positionals(p, *names: str) -> None:
    """``names`` then an optional DATA_DIR, as one list, so that options may stand between them
    (``coder-copy OUT --coder NAME DATA``), which argparse does not allow for separate optional positionals."""
    p.add_argument("places", nargs="+", metavar="PATH",
                   help=" ".join([*(n.upper() for n in names), "[DATA_DIR]"]) + "; DATA_DIR: the data folder "
                   "(default: the bundled EBM data)")
    p.set_defaults(place_names=names)


def _split(args: argparse.Namespace) -> None:
    names, given = args.place_names, args.places
    if not len(names) <= len(given) <= len(names) + 1:
        from ebm_analysis.errors import DataError

        raise DataError(f"expected {' '.join(n.upper() for n in names)} [DATA_DIR], found {len(given)} "
                        f"argument(s): {' '.join(given)}")
    for name, value in zip(names, given):
        setattr(args, name, value)
    args.data_dir = given[len(names)] if len(given) > len(names) else None


def _store(args: argparse.Namespace):
    from ebm_analysis.coding import CodingStore

    return CodingStore.open(args.data_dir or None, coder=args.coder)


def _rename(args: argparse.Namespace) -> int:
    _split(args)
    _store(args).rename_code(args.code, name_sv=args.name_sv, name_en=args.name_en, reason=args.reason)
    print(f"renamed {args.code}")
    return 0


def _move(args: argparse.Namespace) -> int:
    _split(args)
    _store(args).move_code(args.code, None if args.top else args.to, reason=args.reason)
    print(f"moved {args.code} " + ("to the top level" if args.top else f"under {args.to}"))
    return 0


def _merge(args: argparse.Namespace) -> int:
    _split(args)
    result = _store(args).merge_codes(args.source, args.target, reason=args.reason)
    for row in result.itertuples(index=False):
        print(f"  {row.coding_id} ({row.segment_id}, {row.coder}): {row.outcome}")
    print(f"merged {args.source} into {args.target}: {len(result)} coding(s); {args.source} is retired")
    return 0


def _retire(args: argparse.Namespace) -> int:
    _split(args)
    _store(args).retire_code(args.code, reason=args.reason)
    print(f"retired {args.code} (its codings are kept)")
    return 0


def _delete(args: argparse.Namespace) -> int:
    _split(args)
    _store(args).delete_code(args.code, reason=args.reason)
    print(f"deleted {args.code}")
    return 0


def _coder_copy(args: argparse.Namespace) -> int:
    _split(args)
    from ebm_analysis.coders import coder_copy

    out = coder_copy(args.data_dir or None, args.out_dir, args.coder)
    print(f"made a blank copy for {args.coder} in {out}; code it as coder {args.coder}, then run "
          f"`python -m ebm_analysis merge-coder {out}`")
    return 0


def _merge_coder(args: argparse.Namespace) -> int:
    _split(args)
    from ebm_analysis.coders import merge_coder

    result = merge_coder(args.data_dir or None, args.copy_dir, coder=args.coder, reason=args.reason)
    coders = ", ".join(sorted(set(result["coder"])))
    print(f"merged {len(result)} coding(s) by {coders} (one change: `python -m ebm_analysis undo --coder "
          f"{args.coder or coders}` takes it back)")
    return 0


def _common(p, coder_help: str = "logged as who made the change") -> None:
    p.add_argument("--coder", default=None, help=coder_help)
    p.add_argument("--reason", help="written into the change log")


def add_commands(sub) -> None:
    """Add ``code``, ``coder-copy`` and ``merge-coder`` to the command line's sub-parsers."""
    code = sub.add_parser("code", help="reshape the codebook: rename, move, merge, retire or delete a code")
    verbs = code.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("rename", help="give a code a new Swedish and/or English name")
    _positionals(p, "code")
    p.add_argument("--name-sv")
    p.add_argument("--name-en")
    _common(p)
    p.set_defaults(func=_rename)

    p = verbs.add_parser("move", help="place a code under another parent (or at the top level)")
    _positionals(p, "code")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", help="the new parent code")
    where.add_argument("--top", action="store_true", help="make it a top-level code")
    _common(p)
    p.set_defaults(func=_move)

    p = verbs.add_parser("merge", help="merge SOURCE into TARGET: codings follow, SOURCE is retired")
    _positionals(p, "source", "target")
    _common(p)
    p.set_defaults(func=_merge)

    p = verbs.add_parser("retire", help="retire a code: hidden from the pickers, its codings kept")
    _positionals(p, "code")
    _common(p)
    p.set_defaults(func=_retire)

    p = verbs.add_parser("delete", help="delete a code that has no codings and no sub-codes")
    _positionals(p, "code")
    _common(p)
    p.set_defaults(func=_delete)

    p = sub.add_parser("coder-copy", help="make a blank copy (same segments and codebook, no codings) for a "
                                          "second, independent coder")
    _positionals(p, "out_dir")
    p.add_argument("--coder", required=True, help="the second coder's id, e.g. coder2")
    p.set_defaults(func=_coder_copy)

    p = sub.add_parser("merge-coder", help="bring a coder copy's codings back into the data folder (one change)")
    _positionals(p, "copy_dir")
    _common(p, "logged as who merged (default: the copy's coder)")
    p.set_defaults(func=_merge_coder)
