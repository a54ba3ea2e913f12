"""The project's set-up files agree with each other."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = meta["dependencies"] + [r for group in meta["optional-dependencies"].values() for r in group]
    return {_name(r): r.replace(" ", "") for r in reqs}


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for dep in env["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            if entry.startswith("-") or _name(entry) in ("python", "pip"):
                continue
            found[_name(entry)] = entry.replace(" ", "")
    return found


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_every_dependency_is_pinned_in_constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    missing = sorted(set(_pyproject_requirements()) - set(pins))
    assert missing == []


def test_make_passes_lang_as_an_option_and_keeps_the_locale():
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    out = subprocess.run(["make", "-s", "print-lang", "LANG=sv"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "label-lang=sv recipe-LANG=C.UTF-8"
    out = subprocess.run(["make", "-s", "print-lang"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "label-lang=en recipe-LANG=C.UTF-8"
