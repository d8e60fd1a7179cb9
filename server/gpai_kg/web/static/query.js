/* The query page: YASGUI on this service's endpoint, prefixes pre-filled, nothing remote. */
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  var endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  var prefixes = JSON.parse(document.getElementById("prefixes").textContent);
  var shown = ["rdf", "rdfs", "xsd", "skos", "org", "time", "prov", "schema", "dcterms", "gpai",
               "country", "organisation", "membership", "event", "source"];
  var prologue = shown.filter(function (p) { return prefixes[p]; })
    .map(function (p) { return "PREFIX " + p + ": <" + prefixes[p] + ">"; }).join("\n");

  var Yasqe = Yasgui.Yasqe;
  // The class and property completers ask a remote service (LOV): keep only local ones.
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });
  Yasqe.defaults.value = prologue + "\n\nSELECT ?member ?name WHERE {\n" +
    "  ?membership org:organization organisation:gpai ; org:member ?member .\n" +
    "  ?member rdfs:label ?name FILTER(lang(?name) = \"en\")\n} ORDER BY ?name\n";

  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    populateFromUrl: true
  });
  // A gallery link carries its query in the URL: run it at once.
  if (new URLSearchParams(window.location.search).has("query")) {
    yasgui.getTab().query();
  }
  window.gpaiYasgui = yasgui;
})();
