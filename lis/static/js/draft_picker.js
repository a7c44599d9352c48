/* Contributions: search-as-you-type for the draft, and small helpers of the logging form.
   Progressive enhancement only: without this file the draft is chosen from a plain list, the
   due date is typed (or taken from the assignment by the server) and every article is listed. */
"use strict";

(function () {
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  /* The picker: a combobox over /contributions/drafts.json; choosing submits the GET form. */
  function initPicker(form) {
    var fallback = form.querySelector("[data-picker-fallback]");
    var search = form.querySelector("[data-picker-search]");
    var select = form.querySelector("select[name=doc]");
    var submit = form.querySelector("[data-picker-submit]");
    var input = search.querySelector("input");
    var list = search.querySelector("[role=listbox]");
    var empty = search.querySelector("[data-picker-empty]");
    var source = form.getAttribute("data-source");
    var items = [];
    var active = -1;
    var latest = 0;

    fallback.hidden = true;
    search.hidden = false;
    submit.hidden = true;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      options.forEach(function (el, i) {
        el.setAttribute("aria-selected", i === index ? "true" : "false");
        if (i === index) {
          input.setAttribute("aria-activedescendant", el.id);
          el.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function choose(item) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === item.id; });
      if (!option) {
        option = new Option(item.title, item.id);
        select.add(option);
      }
      select.value = item.id;
      input.value = (item.number || item.id) + " — " + item.title;
      close();
      form.submit();
    }

    function render(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "draft-option-" + i;
        li.className = "contrib-suggestion";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.id = item.id;
        var title = document.createElement("span");
        title.className = "contrib-suggestion__title";
        title.textContent = item.title;
        var meta = document.createElement("span");
        meta.className = "contrib-suggestion__meta";
        meta.textContent = [item.number || item.id, item.stage_label].filter(Boolean).join(" · ");
        li.appendChild(title);
        li.appendChild(meta);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); /* keep the focus in the box */
          choose(item);
        });
        list.appendChild(li);
      });
      empty.hidden = found.length > 0 || !input.value.trim();
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
    }

    var query = debounce(function () {
      var q = input.value.trim();
      var ticket = ++latest;
      fetch(source + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
        .then(function (body) { if (ticket === latest) render(body.items || []); })
        .catch(function () { if (ticket === latest) render([]); });
    }, 150);

    input.addEventListener("input", query);
    input.addEventListener("focus", function () { if (!items.length) query(); });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        event.preventDefault(); /* the GET form must not go without a draft */
        if (items.length) choose(items[active >= 0 ? active : 0]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  /* The logging form: the assignment fills the due date; the version shows its articles. */
  function initForm(form) {
    var assignment = form.querySelector("select[data-due-for]");
    if (assignment) {
      var due = form.querySelector("#" + assignment.getAttribute("data-due-for"));
      var filled = due ? due.value : "";
      assignment.addEventListener("change", function () {
        var option = assignment.options[assignment.selectedIndex];
        var value = option ? option.getAttribute("data-due") : null;
        if (due && value && (!due.value || due.value === filled)) {
          due.value = value;
          filled = value;
        }
      });
    }
    var version = form.querySelector("select[name=version]");
    var groups = form.querySelectorAll(".contrib-articles__group");
    function showArticles() {
      groups.forEach(function (group) {
        var on = version && group.getAttribute("data-version") === version.value;
        group.hidden = !on;
        group.querySelectorAll("input").forEach(function (box) { box.disabled = !on; });
      });
    }
    if (version && groups.length) {
      version.addEventListener("change", showArticles);
      showArticles();
    }
    /* A second click while the first save is on its way is ignored (the server would find the
       first contribution by its key anyway). */
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-once]");
      if (button) setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-draft-picker]").forEach(initPicker);
    document.querySelectorAll("form[data-contribution-form]").forEach(initForm);
  });
})();
