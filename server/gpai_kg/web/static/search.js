/* The header's search box: an ARIA 1.2 combobox with a listbox popup over /api/search.
   Keyboard: Down/Up move through the suggestions (aria-activedescendant), Enter opens the one chosen (or
   submits the form: the /search page), Escape closes the list (again: clears the box). Built with
   textContent only: a name can never become markup. Nothing is loaded from elsewhere. */
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById("site-search-list");
  var status = document.getElementById("site-search-status");
  var api = input.dataset.api, lang = input.dataset.lang || "en";
  // The interface's words in the reader's language (templates/search_box.html).
  var words = JSON.parse(input.dataset.words || "{}");
  var options = [], active = -1, timer = null, pending = null, lastQuery = "";
  // A language chosen on this page (?lang=) follows the reader to the page of the thing found.
  var chosenLang = new URLSearchParams(window.location.search).get("lang");

  function open(show) {
    list.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) { setActive(-1); }
  }

  function setActive(index) {
    options.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(results) {
    list.textContent = "";
    options = results.map(function (r, i) {
      var li = document.createElement("li");
      li.id = "site-search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.href = r.page ? r.page + (chosenLang ? "?lang=" + encodeURIComponent(chosenLang) : "") : r.iri;
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = r.label;
      if (r.lang) { name.lang = r.lang; }
      li.appendChild(name);
      if (r.type) {
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = r.type.label + (r.member ? " · " + words.member : "");
        li.appendChild(kind);
      }
      if (r.matched && r.matched.text && r.matched.text !== r.label && r.matched.kind !== "iri") {
        var matched = document.createElement("span");
        matched.className = "matched";
        matched.textContent = "(" + r.matched.text + ")";
        if (r.matched.lang) { matched.lang = r.matched.lang; }
        li.appendChild(matched);
      }
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
      li.addEventListener("click", function () { go(li); });
      list.appendChild(li);
      return li;
    });
    open(options.length > 0);
    status.textContent = options.length === 0 ? words.none
      : options.length === 1 ? words.one : words.count.replace("{count}", String(options.length));
  }

  function go(li) { window.location.href = li.dataset.href; }

  function ask(query) {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var url = api + "?" + new URLSearchParams({ q: query, lang: lang, limit: "8" }).toString();
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) { if (query === lastQuery) { render(body.results || []); } })
      .catch(function () { /* aborted by a newer keystroke, or offline: keep what is shown */ });
  }

  input.addEventListener("input", function () {
    var query = input.value.trim();
    lastQuery = query;
    clearTimeout(timer);
    if (!query) { list.textContent = ""; options = []; open(false); status.textContent = ""; return; }
    timer = setTimeout(function () { ask(query); }, 120);
  });

  input.addEventListener("keydown", function (event) {
    var count = options.length;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden && count) { open(true); }
      if (count) { setActive(active + 1 >= count ? 0 : active + 1); }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (count) { setActive(active <= 0 ? count - 1 : active - 1); }
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) { event.preventDefault(); go(options[active]); }
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); open(false); } else { input.value = ""; }
    } else if (event.key === "Tab") {
      open(false);
    }
  });

  input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
  input.addEventListener("focus", function () { if (options.length && input.value.trim()) { open(true); } });
})();
