"""Settings: declared once, read from the environment and overrides, documented in the README."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from gpai_kg.config import SETTINGS, Settings
from gpai_kg.errors import ConfigError

CLI = str(Path(sys.executable).with_name("gpai-kg"))


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env_var}`" in readme, f"{setting.name} missing from the README's settings table"


def test_precedence_defaults_environment_overrides():
    assert Settings.load(environ={}).base_iri == "https://w3id.org/gpai-kg/"
    env = {"GPAI_KG_BASE_IRI": "http://127.0.0.1:5000/", "GPAI_KG_RELEASE": "from-env"}
    settings = Settings.load({"release": "from-flag"}, environ=env)
    assert settings.base_iri == "http://127.0.0.1:5000/"
    assert settings.release == "from-flag"


@pytest.mark.parametrize("value", ["ftp://example.org/", "https://example.org/no-slash", "gpai"])
def test_bad_base_iri_is_refused(value):
    with pytest.raises(ConfigError, match="GPAI_KG_BASE_IRI"):
        Settings.load(environ={"GPAI_KG_BASE_IRI": value})


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings.load({"colour": "blue"})


def test_cli_reports_a_bad_setting_in_one_line(tmp_path):
    done = subprocess.run([CLI, "build", "--base-iri", "not-an-iri", "--dist-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "gpai-kg: error: base_iri='not-an-iri' is not a valid base_iri: must be an http(s) IRI ending with '/'"]
    assert not any(tmp_path.iterdir())


def test_cli_query_without_a_release_says_what_to_do(tmp_path):
    done = subprocess.run([CLI, "query", "ASK {}", "--dist-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "run `gpai-kg build` first" in done.stderr


def test_cli_query_syntax_error(release):
    dist = release.path.parent.parent
    done = subprocess.run([CLI, "query", "SELECT WHERE {", "--dist-dir", str(dist)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("gpai-kg: error: the query does not parse")


def test_cli_query_table_and_csv(release):
    dist = str(release.path.parent.parent)
    query = "SELECT ?name WHERE { <https://w3id.org/gpai-kg/id/country/rs> <http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER(lang(?name) = 'de') }"
    table = subprocess.run([CLI, "query", query, "--dist-dir", dist], capture_output=True, text=True, timeout=120)
    assert table.stdout.splitlines() == ["name", "-------", "Serbien", "(1 row)"]
    csv_out = subprocess.run([CLI, "query", query, "--format", "csv", "--dist-dir", dist],
                             capture_output=True, text=True, timeout=120)
    assert csv_out.stdout.splitlines() == ["name", "Serbien"]


def test_every_setting_is_a_flag_of_serve():
    from gpai_kg.cli import cli
    params = {p.name for p in cli.commands["serve"].params}
    # Who publishes a release is said when it is built, not when it is served.
    build_only = {p.name for p in cli.commands["build"].params} & {"publisher", "contact"}
    assert build_only == {"publisher", "contact"}
    assert {s.name for s in SETTINGS} - params == build_only


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("Yes", True), ("0", False),
                                            ("off", False), ("", False)])
def test_switches_read_from_the_environment(value, expected):
    assert Settings.load(environ={"GPAI_KG_FEDERATION": value}).federation is expected


def test_a_switch_that_is_neither_true_nor_false_is_refused():
    with pytest.raises(ConfigError, match="GPAI_KG_FEDERATION.*must be true or false"):
        Settings.load(environ={"GPAI_KG_FEDERATION": "maybe"})
