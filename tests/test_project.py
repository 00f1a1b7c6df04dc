"""Project hygiene: environment.yml mirrors pyproject.toml; the lock file pins every package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = sorted(project["dependencies"] + extras["dev"] + extras["spark"] + extras["lab"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert sorted(r for r in pip if not r.startswith("-e")) == wanted


def test_lock_file_pins_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = {_name(line): line.split("==")[1] for line in
              (ROOT / "requirements.lock").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    extras = project["optional-dependencies"]
    for req in project["dependencies"] + extras["dev"] + extras["spark"] + extras["lab"]:
        assert _name(req) in locked, req
