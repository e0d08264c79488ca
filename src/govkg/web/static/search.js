// govkg: autocomplete for the search box in every page's header (an ARIA 1.2 combobox).
// Without JavaScript the box is a plain form that opens /search?q=.
// Keys: ArrowDown/ArrowUp move through the suggestions, Enter opens the chosen one (or
// searches when none is chosen), Escape closes the list (a second Escape clears the box).
(function () {
  "use strict";

  var DELAY_MS = 120;

  function init(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById("site-search-status");
    var endpoint = input.getAttribute("data-suggest");
    var items = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(suggestions) {
      items = suggestions;
      list.textContent = "";
      suggestions.forEach(function (s, i) {
        var option = document.createElement("li");
        option.id = "site-search-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var link = document.createElement("a");
        link.href = s.url;
        link.tabIndex = -1;
        var label = document.createElement("span");
        label.textContent = s.label;
        if (s.label_lang) { label.lang = s.label_lang; }
        link.appendChild(label);
        var hint = s.other || "";
        if (hint && hint !== s.label) {
          var other = document.createElement("span");
          other.className = "secondary";
          other.textContent = " " + hint;
          link.appendChild(other);
        }
        (s.types || []).slice(0, 1).forEach(function (type) {
          var badge = document.createElement("span");
          badge.className = "badge";
          badge.textContent = type;
          link.appendChild(document.createTextNode(" "));
          link.appendChild(badge);
        });
        option.appendChild(link);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the box until we navigate
          window.location.assign(s.url);
        });
        list.appendChild(option);
      });
      if (status) {
        var found = input.getAttribute("data-found") || "{n}";
        status.textContent = suggestions.length ? found.replace("{n}", suggestions.length) : "";
      }
      if (suggestions.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      var ticket = ++latest;
      if (!q) { render([]); return; }
      fetch(endpoint + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
        .then(function (body) { if (ticket === latest) { render(body.suggestions || []); } })
        .catch(function () { if (ticket === latest) { render([]); } });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { fetchSuggestions(); return; }
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) { return; }
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          window.location.assign(items[active].url);
        }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); } else { input.value = ""; }
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() {
    var input = document.getElementById("site-search");
    if (input && input.getAttribute("data-suggest") && window.fetch) { init(input); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
