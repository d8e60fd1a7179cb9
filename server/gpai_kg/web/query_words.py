"""The query page's words, for static/query.js: ours, and YASGUI's own, which it has in English only.

YASGUI and the DataTables inside it write their interface in English. query.js puts the reader's
language in their place: DataTables through its ``language`` option, YASGUI's other labels by
exact text (or the patterns below) as they appear. The English texts are msgids of our catalogues,
so ``make translations`` extracts them with the rest.
"""

from __future__ import annotations

from flask_babel import gettext


def N_(text: str) -> str:
    return text


#: YASGUI's labels, titles, placeholders and ARIA names, exactly as it writes them.
PHRASES = (
    N_("Query"), N_("Close tab"), N_("Add tab"), N_("Add a new tab"), N_("Open settings"), N_("Settings"),
    N_("Request method"), N_("Accept Headers"), N_("Ask / Select"), N_("Construct / Describe"),
    N_("Arguments"), N_("Header Arguments"), N_("Default Graphs"), N_("Named Graphs"), N_("Clear endpoint"),
    N_("Share query"), N_("Run query"), N_("Table"), N_("Shows Table view"), N_("Response"),
    N_("Shows Response view"), N_("Simple view"), N_("Ellipse"), N_("Filter query results"), N_("Page size:"),
    N_("All"), N_("Download result"), N_("Download Results"), N_("View documentation of Table"),
    N_("View documentation of Response"), N_("pagination"), N_("Show all"), N_("Rename Tab"), N_("Copy Tab"),
    N_("Close Tab"), N_("Close other tabs"), N_("Add Tab"), N_("Shorten"), N_("Copy to clipboard"),
    N_("Stop query"), N_("Cancel"), N_("Error"), N_("Add"), N_("Remove"), N_("Name"), N_("Value"),
)


def query_words() -> dict:
    """Everything query.js needs, in the reader's language."""
    return {
        "phrases": {english: gettext(english) for english in PHRASES},
        # YASGUI's summary line: "30 results in 0.075 seconds".
        "results": gettext("%(count)s results in %(seconds)s seconds", count="{count}", seconds="{seconds}"),
        "one_result": gettext("1 result in %(seconds)s seconds", seconds="{seconds}"),
        "response": gettext("Response in %(seconds)s seconds", seconds="{seconds}"),
        # DataTables' own option (https://datatables.net/reference/option/language).
        "table": {
            "emptyTable": gettext("No results"),
            "info": gettext("Showing %(first)s to %(last)s of %(total)s entries",
                            first="_START_", last="_END_", total="_TOTAL_"),
            "infoEmpty": gettext("No entries"),
            "infoFiltered": gettext("(filtered from %(max)s entries)", max="_MAX_"),
            "zeroRecords": gettext("No matching entries"),
            "paginate": {"first": "&lt;&lt;", "last": "&gt;&gt;", "next": "&gt;", "previous": "&lt;"},
            "aria": {
                "orderable": gettext(": activate to sort"),
                "orderableReverse": gettext(": activate to invert sorting"),
                "orderableRemove": gettext(": activate to remove sorting"),
                "paginate": {"first": gettext("First page"), "previous": gettext("Previous page"),
                             "next": gettext("Next page"), "last": gettext("Last page")},
            },
        },
        # Ours: the editor and the results, and what an error says.
        "editor": gettext("SPARQL query"),
        "endpoint": gettext("SPARQL endpoint"),
        "tab_name": gettext("Name of this tab"),
        "row": gettext("Row"),
        "results_region": gettext("Results"),
        "syntax_error": gettext("The query has a syntax error"),
        "query_error": gettext("The query could not run"),
        "error_at": gettext("Line %(line)s, column %(column)s", line="{line}", column="{column}"),
        "status": gettext("HTTP status %(status)s", status="{status}"),
        "unreachable": gettext("The endpoint did not answer: check the connection and try again."),
    }
