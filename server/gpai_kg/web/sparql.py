"""The SPARQL 1.1 Protocol at /sparql: query by GET, POST form or POST sparql-query.

Read-only: updates are refused with 403. The request is checked before a worker sees it:
one query, in one place, UTF-8; then the query itself passes the checked door
(:mod:`gpai_kg.gate`: size, depth, form, SERVICE allow-list, FROM graphs); the response
format is negotiated from the query's form.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, redirect, request, url_for

from ..errors import BadRequest, Forbidden, RequestTooLarge, UnsupportedMediaType
from ..formats import GRAPH_FORMATS, RESULT_FORMATS, negotiate, prefers_html
from ..pool import QueryJob
from .answer_cache import CACHEABLE
from .service_description import service_description

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
TRUNCATED_HEADER = "GPAI-KG-Results-Truncated"
#: Functions whose value changes from one evaluation to the next: their answers are never kept.
VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID)\s*\(", re.IGNORECASE)


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint():
    settings = current_app.config["GPAI_KG_SETTINGS"]
    service = current_app.extensions["gpai_kg"]
    params = _protocol_params()
    if params.query is None:
        if request.method == "GET":
            if prefers_html(request.accept_mimetypes, [m for f in GRAPH_FORMATS for m in f.accepts()]):
                # A person following the "SPARQL endpoint" link: the query page, not a file to save.
                response = redirect(url_for("pages.query_ui"), code=303)
                response.vary.add("Accept")
                return response
            return service_description()
        raise BadRequest("no query: send it as the query parameter or as an application/sparql-query body")
    # The checked door: the query as the engine reads it, against this service's policy.
    checked = service.check(params.query, protocol_graphs=[*params.default_graphs, *params.named_graphs])
    table = GRAPH_FORMATS if checked.returns_graph else RESULT_FORMATS
    fmt = _format(table, params.getlist("format"))
    timeout = _timeout(params.get("timeout"), settings.query_timeout)
    job = QueryJob(
        checked, fmt.name, settings.max_rows,
        base_iri=request.base_url,
        default_graph=tuple(params.default_graphs) if params.has_dataset else None,
        named_graphs=tuple(params.named_graphs) if params.has_dataset else None,
    )
    outcome = service.run(job, timeout)
    # A person following a link in a browser gets the same bytes under a type the browser shows.
    shown = prefers_html(request.accept_mimetypes, [m for f in table for m in f.accepts()])
    response = Response(outcome.body, content_type=fmt.display_type if shown else fmt.content_type)
    if shown:
        response.headers["Content-Disposition"] = "inline"
    response.vary.add("Accept")
    response.headers["Server-Timing"] = f"query;dur={outcome.seconds * 1000:.1f}"
    if outcome.truncated:
        response.headers[TRUNCATED_HEADER] = f"max-rows={settings.max_rows}"
    if request.method == "GET" and not VOLATILE.search(checked.text):
        # The release does not change while served: the same GET gets the same answer, kept and
        # validated by ETag (gpai_kg.web.answer_cache). Not when the query asks for the time or chance.
        response.headers[CACHEABLE] = "1"
    return response


class _Params:
    """The protocol parameters of one request, wherever they were sent."""

    def __init__(self, query, values, default_graphs, named_graphs):
        self.query = query
        self._values = values
        self.default_graphs = default_graphs
        self.named_graphs = named_graphs

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)

    def getlist(self, name: str) -> list[str]:
        return self._values.getlist(name)

    def get(self, name: str):
        values = self._values.getlist(name)
        if len(values) > 1:
            raise BadRequest(f"the {name} parameter is given {len(values)} times; give it once")
        return values[0] if values else None


def _protocol_params() -> _Params:
    from werkzeug.datastructures import CombinedMultiDict, MultiDict

    args = request.args
    if "update" in args:
        raise Forbidden("this service is read-only: SPARQL Update requests are refused")
    if request.method == "GET":
        return _Params(_one_query(args.getlist("query")), args,
                       args.getlist("default-graph-uri"), args.getlist("named-graph-uri"))

    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset={charset} is not supported: send UTF-8")
    if mimetype == SPARQL_UPDATE:
        raise Forbidden("this service is read-only: SPARQL Update requests are refused")
    if mimetype == FORM:
        form = _form()
        if "update" in form:
            raise Forbidden("this service is read-only: SPARQL Update requests are refused")
        if "query" in args and "query" in form:
            raise BadRequest("the query is both in the URL and in the body; send it once")
        values = CombinedMultiDict([args, form])
        return _Params(_one_query(form.getlist("query") or args.getlist("query")), values,
                       values.getlist("default-graph-uri"), values.getlist("named-graph-uri"))
    if mimetype == SPARQL_QUERY:
        if "query" in args:
            raise BadRequest("the query is both in the URL and in the body; send it once")
        try:
            text = _body(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the body is not valid UTF-8") from None
        return _Params(text, MultiDict(args), args.getlist("default-graph-uri"), args.getlist("named-graph-uri"))
    raise UnsupportedMediaType(
        f"Content-Type {mimetype or '(none)'} is not supported for POST: use {FORM} or {SPARQL_QUERY}")


def _body(cache: bool) -> bytes:
    """The request body, never more of it than the limit (a chunked body has no length to check first)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    data = request.get_data(cache=cache)
    if len(data) >= limit:
        raise RequestTooLarge(f"the request body is larger than this service accepts ({limit} bytes); the "
                              f"rest was not read")
    return data


def _form():
    # Decode strictly: a form in another encoding must not turn into a different query.
    raw = _body(cache=True)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not valid UTF-8") from None
    return request.form


def _format(table, values: list[str]):
    # Some clients (SPARQLWrapper) send format= twice, as a name and as a media type: accept
    # that when both mean the same format.
    chosen = {negotiate(table, request.accept_mimetypes, v) for v in values} or {
        negotiate(table, request.accept_mimetypes)}
    if len(chosen) > 1:
        raise BadRequest("the format parameter is given several times with different formats; give it once")
    return chosen.pop()


def _one_query(values: list[str]) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"the query parameter is given {len(values)} times; give it once")
    if values and not values[0].strip():
        raise BadRequest("the query is empty")
    return values[0] if values else None


#: The shortest time limit a client may ask for: a query stopped sooner costs more (a worker
#: killed and started again) than it saves.
MIN_TIMEOUT = 1.0


def _timeout(raw: str | None, server_limit: float) -> float:
    """The client's ``timeout=``, clamped to [MIN_TIMEOUT, the server's limit]."""
    if raw is None:
        return server_limit
    try:
        asked = float(raw)
    except ValueError:
        raise BadRequest(f"timeout={raw!r} is not a number of seconds") from None
    if not asked > 0:
        raise BadRequest("timeout must be more than 0 seconds")
    return min(max(asked, min(MIN_TIMEOUT, server_limit)), server_limit)
