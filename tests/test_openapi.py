"""The OpenAPI description (/openapi.json): every route is in it, its page renders it offline, and the real
server answers as it says, whatever Schemathesis sends (bounded, on loopback)."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from conftest import ROOT
from gpai_kg.namespaces import NS
from gpai_kg.web.openapi_document import document

#: Routes documented under another (more precise) path: the rule's path → the documented one.
DOCUMENTED_AS = {"/id/{rest}": "/id/{kind}/{key}", "/page/{path}": "/page/id/{kind}/{key}",
                 "/data/{path}.{ext}": "/data/id/{kind}/{key}.{ext}", "/ontology/{rest}": "/ontology/{term}",
                 "/shapes/{rest}": "/shapes", "/dataset/{rest}": "/dataset", "/browse/": "/browse",
                 "/releases/{version}/data/{path}.{ext}": "/releases/{version}/data/id/{kind}/{key}.{ext}"}


def test_every_route_is_described(app, client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1") and document["servers"] == [{"url": "http://localhost"}]
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        path = DOCUMENTED_AS.get(path, path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing


def test_the_api_page_renders_the_description_with_vendored_files_only(client):
    response = client.get("/api")
    assert response.status_code == 200
    page = html5lib.parse(response.get_data(as_text=True), namespaceHTMLElements=False)
    sources = [e.get("src") for e in page.iter("script") if e.get("src")] + \
              [e.get("href") for e in page.iter("link") if e.get("rel") == "stylesheet"]
    assert any("swagger-ui-bundle.js" in s for s in sources)
    for source in sources:
        assert source.startswith("/static/"), source
        assert client.get(source).status_code == 200
    assert page.find(".//div[@id='swagger']").get("data-spec") == "/openapi.json"


def test_the_vendored_renderer_is_the_pinned_version_with_its_licence():
    folder = ROOT / "server" / "gpai_kg" / "web" / "static" / "vendor" / "swagger-ui"
    script = (ROOT / "scripts" / "vendor_swagger_ui.py").read_text(encoding="utf-8")
    version = re.search(r'VERSION = "(.+)"', script).group(1)
    integrity = re.search(r'INTEGRITY = "(.+)"', script).group(1)
    assert (folder / "VERSION").read_text().splitlines()[0] == f"swagger-ui-dist@{version}"
    assert (folder / "VERSION").read_text().splitlines()[2] == integrity
    assert "Apache License" in (folder / "LICENSE").read_text()
    bundle = (folder / "swagger-ui-bundle.js").read_text(encoding="utf-8", errors="replace")
    assert "SwaggerUIBundle" in bundle


# --- Schemathesis against the real server ----------------------------------------------------------
#
# Each operation is one test, fuzzed with the description the running server serves. Requests are valid
# (positive) and invalid (negative) by the description; every answer must be documented, and none a 5xx.
# Schemathesis's own pytest plugin (from_fixture) does not run under pytest 9, so its strategies are used
# directly with Hypothesis.

DESCRIBED = document("http://localhost", NS.base)["paths"]


def _can_be_invalid(parameter: dict) -> bool:
    """Whether a parameter's description leaves invalid values to send: a required one, or one constrained
    beyond "any string" (a URL's parts are all strings, so a plain string parameter has no invalid value)."""
    schema = parameter["schema"]
    return parameter["required"] and parameter["in"] == "query" or schema.get("type") != "string" or bool(
        set(schema) & {"enum", "pattern", "minLength", "maxLength", "minimum", "maximum"})


OPERATIONS = [(path, method.upper(), mode) for path, item in DESCRIBED.items() for method, op in item.items()
              for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
              if mode is GenerationMode.POSITIVE or any(map(_can_be_invalid, op.get("parameters", ())))]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(server):
    served = requests.get(server.url + "/openapi.json", timeout=60)
    assert served.status_code == 200
    return schemathesis.openapi.from_dict(served.json())


@pytest.mark.parametrize("path, method, mode", OPERATIONS, ids=[f"{m} {p} {g.value}" for p, m, g in OPERATIONS])
def test_the_server_answers_as_described(api_schema, server, path, method, mode):
    operation = api_schema[path][method]
    session = requests.Session()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def answers_as_described(case):
        response = case.call(base_url=server.url, session=session, allow_redirects=False, timeout=60)
        case.validate_response(response, checks=CHECKS)

    answers_as_described()
