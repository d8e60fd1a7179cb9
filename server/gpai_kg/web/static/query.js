/* The query page: YASGUI on this service's endpoint, in the reader's language, nothing remote.
 *
 * - prefixes pre-filled, and results written with the query's prefixes (and ours);
 * - an error is a readable message, its line and column marked in the editor;
 * - YASGUI's English labels replaced by the page's language (it has no translations of its own);
 * - what axe-core finds missing in YASGUI's markup (labels, tab-list roles, focusable scroll areas)
 *   added as it draws. */
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  var words = JSON.parse(root.dataset.words);
  var endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  var prefixes = JSON.parse(document.getElementById("prefixes").textContent);
  var shown = ["rdf", "rdfs", "xsd", "skos", "org", "time", "prov", "schema", "dcterms", "gpai",
               "country", "organisation", "membership", "event", "source"];
  var prologue = shown.filter(function (p) { return prefixes[p]; })
    .map(function (p) { return "PREFIX " + p + ": <" + prefixes[p] + ">"; }).join("\n");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }

  // --- Errors: the service answers {"error": …, "kind": "syntax", "line": …, "column": …} ---------
  var marks = [];

  function clearMarks() {
    marks.forEach(function (m) { m.clear(); });
    marks = [];
  }

  function markError(line, column) {
    var yasqe = yasgui.getTab().getYasqe();
    var doc = yasqe.getDoc();
    var at = { line: line - 1, ch: Math.max(column - 1, 0) };
    var lineText = doc.getLine(at.line) || "";
    var to = { line: at.line, ch: Math.min(lineText.length, at.ch + 1) };
    if (to.ch <= at.ch) { at.ch = Math.max(lineText.length - 1, 0); to.ch = lineText.length; }
    var handle = yasqe.addLineClass(at.line, "background", "gpai-error-line");
    marks.push({ clear: function () { yasqe.removeLineClass(handle, "background", "gpai-error-line"); } });
    marks.push(doc.markText(at, to, { className: "cm-error-mark", title: fill(words.error_at, { line: line, column: column }) }));
    doc.setCursor(at);
  }

  function parseError(error) {
    var text = error && (error.text || error.message || error.statusText) || "";
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function renderError(error) {
    var body = parseError(error);
    var box = document.createElement("div");
    box.className = "query-error";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "where";
    var message = document.createElement("pre");
    message.lang = "en";  // the service's messages are in English
    if (body && body.error) {
      title.textContent = body.kind === "syntax" ? words.syntax_error : words.query_error;
      if (body.line && body.column) {
        title.textContent += " · " + fill(words.error_at, { line: body.line, column: body.column });
        markError(body.line, body.column);
      }
      message.textContent = body.error;
    } else if (error && error.status) {
      title.textContent = words.query_error + " · " + fill(words.status, { status: error.status });
      message.textContent = error.text || error.statusText || "";
    } else {
      title.textContent = words.query_error;
      message.textContent = words.unreachable;
      message.lang = document.documentElement.lang;
    }
    box.appendChild(title);
    if (message.textContent) box.appendChild(message);
    return Promise.resolve(box);
  }

  // --- YASGUI, configured --------------------------------------------------------------------
  var Yasqe = Yasgui.Yasqe, Yasr = Yasgui.Yasr;
  // The class and property completers ask a remote service (LOV): keep only local ones.
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });
  Yasqe.defaults.value = prologue + "\n\nSELECT ?member ?name WHERE {\n" +
    "  ?membership org:organization organisation:gpai ; org:member ?member .\n" +
    "  ?member rdfs:label ?name FILTER(lang(?name) = \"en\")\n} ORDER BY ?name\n";
  Yasr.defaults.errorRenderers = [renderError];
  Yasr.plugins.table.defaults.tableConfig.language = words.table;
  Yasr.plugins.table.defaults.openIriInNewWindow = false;

  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    populateFromUrl: true,
    tabName: words.phrases.Query,
    // Results name IRIs by the query's own prefixes (YASGUI adds those) and, failing that, by ours.
    yasr: { prefixes: prefixes }
  });
  yasgui.on("query", clearMarks);

  // --- The reader's language and the missing accessible names, applied as YASGUI draws ----------
  var phrases = words.phrases;
  var summary = /^(\d+) results? in ([\d.]+) seconds?$/;
  var responseOnly = /^Response in ([\d.]+) seconds?$/;

  function translateText(text) {
    var trimmed = text.trim();
    if (!trimmed) return null;
    if (Object.prototype.hasOwnProperty.call(phrases, trimmed) && phrases[trimmed] !== trimmed) {
      return text.replace(trimmed, phrases[trimmed]);
    }
    var m = summary.exec(trimmed);
    if (m) return fill(m[1] === "1" ? words.one_result : words.results, { count: m[1], seconds: m[2] });
    m = responseOnly.exec(trimmed);
    if (m) return fill(words.response, { seconds: m[1] });
    return null;
  }

  function translate(node) {
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    var current = node;
    while (current) {
      if (current.nodeType === Node.TEXT_NODE) {
        var parent = current.parentElement;
        // Never the query, the results or the service's messages.
        if (parent && !parent.closest(".CodeMirror, tbody, .query-error, pre, .yasr_response")) {
          var done = translateText(current.textContent);
          if (done !== null) current.textContent = done;
        }
      } else if (current.nodeType === Node.ELEMENT_NODE) {
        ["title", "placeholder", "aria-label"].forEach(function (name) {
          var value = current.getAttribute(name);
          var done = value && translateText(value);
          if (done) current.setAttribute(name, done);
        });
      }
      current = walker.nextNode();
    }
  }

  function label(element, text) {
    if (element && !element.hasAttribute("aria-label") && !element.labels?.length) {
      element.setAttribute("aria-label", text);
    }
  }

  function repair() {
    // The tab list holds tabs only: its "add a tab" button goes beside it.
    root.querySelectorAll(".tabsList").forEach(function (list) {
      var add = list.querySelector(".addTab");
      var holder = add && add.closest("[role=presentation]");
      if (holder && holder.parentElement === list) list.parentElement.insertBefore(holder, list.nextSibling);
    });
    root.querySelectorAll(".tab input[type=text]").forEach(function (input) { label(input, words.tab_name); });
    root.querySelectorAll("input.autocomplete").forEach(function (input) { label(input, words.endpoint); });
    root.querySelectorAll(".CodeMirror textarea").forEach(function (area) { label(area, words.editor); });
    root.querySelectorAll(".CodeMirror-scroll").forEach(function (area) {
      // The editor scrolls with the keyboard once focused; its text area takes the typing.
      if (area.getAttribute("tabindex") !== "0") area.setAttribute("tabindex", "0");
      label(area, words.editor);
    });
    root.querySelectorAll(".yasr select").forEach(function (select) { label(select, phrases["Page size:"]); });
    root.querySelectorAll(".yasr input[type=search], .yasr .tableFilter").forEach(function (input) {
      label(input, phrases["Filter query results"]);
    });
    root.querySelectorAll(".yasr .yasr_results").forEach(function (area) {
      if (!area.hasAttribute("tabindex")) {
        area.setAttribute("tabindex", "0");
        area.setAttribute("role", "region");
        label(area, words.results_region);
      }
    });
    root.querySelectorAll(".yasr thead th").forEach(function (th) {
      if (!th.textContent.trim() && !th.querySelector(".visually-hidden")) {
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = words.row;
        th.appendChild(hidden);
      }
    });
  }

  var busy = false;
  function tidy() {
    if (busy) return;
    busy = true;
    try { translate(root); repair(); } finally { busy = false; }
  }
  new MutationObserver(function () { window.requestAnimationFrame(tidy); })
    .observe(root, { childList: true, subtree: true, characterData: false });
  tidy();

  // A gallery link carries its query in the URL: run it at once.
  if (new URLSearchParams(window.location.search).has("query")) {
    yasgui.getTab().query();
  }
  window.gpaiYasgui = yasgui;
})();
