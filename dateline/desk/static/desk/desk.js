/* The desk's small helpers: a rich-text editor over the body textarea, autosave,
   length hints, slug from headline, confirmations. Without JavaScript every form
   still works: the body is then edited as HTML and cleaned on the server. */
(function () {
  "use strict";
  var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";

  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  var form = document.getElementById("story-form");
  if (!form) return;
  var dirty = false;
  function markDirty() { dirty = true; }

  // Length hints on headline and standfirst.
  form.querySelectorAll("[data-hint]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-hint"), 10);
    var out = document.createElement("span");
    out.className = "count";
    out.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", out);
    function update() {
      var n = input.value.length;
      out.textContent = n + " / " + limit + " characters" + (n > limit ? " — long for search results and phones" : "");
      out.classList.toggle("count--over", n > limit);
    }
    input.addEventListener("input", update);
    update();
  });

  // A slug from the headline while the slug has not been typed by hand.
  var headline = form.querySelector("[name=headline]"), slug = form.querySelector("[name=slug]");
  if (headline && slug) {
    var slugTouched = slug.value !== "";
    slug.addEventListener("input", function () { slugTouched = true; });
    headline.addEventListener("input", function () {
      if (slugTouched) return;
      slug.value = headline.value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
        .replace(/[^a-z0-9\s-]/g, "").trim().replace(/[\s-]+/g, "-").slice(0, 180);
    });
  }

  // The rich-text editor.
  var source = form.querySelector("textarea.body-source");
  var alsoAfter = form.querySelector("[name=also_read_after]");
  var rich = null;
  if (source) {
    var bar = document.createElement("div");
    bar.className = "toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    rich = document.createElement("div");
    rich.className = "rich";
    rich.contentEditable = "true";
    rich.setAttribute("role", "textbox");
    rich.setAttribute("aria-multiline", "true");
    rich.setAttribute("aria-label", "Body");
    rich.innerHTML = source.value || "<p><br></p>";
    placeMarker();
    var tools = [
      ["P", "Paragraph", function () { exec("formatBlock", "<p>"); }],
      ["H2", "Heading", function () { exec("formatBlock", "<h2>"); }],
      ["H3", "Subheading", function () { exec("formatBlock", "<h3>"); }],
      ["B", "Bold", function () { exec("bold"); }],
      ["I", "Italic", function () { exec("italic"); }],
      ["Link", "Link", function () {
        var url = window.prompt("Link address (https://…)");
        if (url && /^(https?:|mailto:|\/)/i.test(url)) exec("createLink", url);
      }],
      ["• List", "Bulleted list", function () { exec("insertUnorderedList"); }],
      ["1. List", "Numbered list", function () { exec("insertOrderedList"); }],
      ["“ Quote", "Block quote", function () { exec("formatBlock", "<blockquote>"); }],
      ["Image", "Image from the library", pickImage],
      ["Also read ↓", "Mark where “Also read” goes", function () {
        rich.querySelectorAll("hr[data-also-read]").forEach(function (hr) { hr.remove(); });
        exec("insertHTML", '<hr data-also-read="">');
      }],
      ["HTML", "Edit the HTML", function () {
        var showing = source.hidden;
        if (showing) { syncToSource(); } else { rich.innerHTML = source.value; placeMarker(); }
        source.hidden = !showing; rich.hidden = showing;
      }],
    ];
    tools.forEach(function (tool) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = tool[0];
      b.title = tool[1];
      b.setAttribute("aria-label", tool[1]);
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });
      b.addEventListener("click", function () { tool[2](); markDirty(); });
      bar.appendChild(b);
    });
    source.hidden = true;
    source.insertAdjacentElement("beforebegin", bar);
    source.insertAdjacentElement("beforebegin", rich);
    rich.addEventListener("input", markDirty);
    form.addEventListener("submit", syncToSource);
  }

  function exec(command, value) {
    rich.focus();
    document.execCommand(command, false, value || null);
  }

  // The marker shows where "Also read" goes; it is stored as a paragraph number.
  function placeMarker() {
    if (!alsoAfter || !alsoAfter.value) return;
    var blocks = rich.children, n = parseInt(alsoAfter.value, 10);
    if (n > 0 && blocks.length >= n) blocks[n - 1].insertAdjacentHTML("afterend", '<hr data-also-read="">');
  }

  function syncToSource() {
    if (!rich || rich.hidden) return;
    var copy = rich.cloneNode(true), marker = copy.querySelector("hr[data-also-read]");
    if (marker && alsoAfter) {
      var n = 0, el = marker.previousElementSibling;
      while (el) { n += 1; el = el.previousElementSibling; }
      alsoAfter.value = n > 0 ? n : "";
    }
    copy.querySelectorAll("hr[data-also-read]").forEach(function (hr) { hr.remove(); });
    source.value = copy.innerHTML;
  }

  function pickImage() {
    var dialog = document.createElement("dialog");
    dialog.className = "picker";
    dialog.innerHTML = '<h2>Insert an image</h2><p><label>Search <input type="search" class="picker-q"></label></p>' +
      '<div class="picker-grid" role="list"></div><p><button type="button" class="picker-close">Cancel</button></p>';
    document.body.appendChild(dialog);
    var grid = dialog.querySelector(".picker-grid");
    function load(q) {
      fetch("/desk/media/pick/?q=" + encodeURIComponent(q || ""), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) {
          grid.innerHTML = "";
          (data.results || []).forEach(function (img) {
            var b = document.createElement("button");
            b.type = "button";
            b.setAttribute("role", "listitem");
            var i = document.createElement("img");
            i.src = img.thumbnail || img.url; i.alt = img.alt || "";
            b.appendChild(i);
            b.addEventListener("click", function () {
              var fig = document.createElement("figure"), el = document.createElement("img");
              el.src = img.url; el.alt = img.alt || ""; if (img.width) { el.width = img.width; el.height = img.height; }
              fig.appendChild(el);
              dialog.close(); dialog.remove();
              exec("insertHTML", fig.outerHTML);
              markDirty();
            });
            grid.appendChild(b);
          });
          if (!grid.children.length) grid.textContent = "No images found.";
        });
    }
    dialog.querySelector(".picker-q").addEventListener("input", function (e) { load(e.target.value); });
    dialog.querySelector(".picker-close").addEventListener("click", function () { dialog.close(); dialog.remove(); });
    dialog.showModal();
    load("");
  }

  // Autosave every 15 seconds while there are changes; never adds to the history.
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  var url = form.getAttribute("data-autosave-url"), state = form.querySelector(".autosave-state");
  function collect() {
    syncToSource();
    var data = {};
    ["headline", "slug", "standfirst", "body", "summary", "canonical_url", "authors", "tags", "also_read_after", "version"]
      .forEach(function (name) { var el = form.elements[name]; if (el) data[name] = el.value; });
    return data;
  }
  if (url) {
    setInterval(function () {
      if (!dirty) return;
      dirty = false;
      fetch(url, {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                  body: JSON.stringify(collect())})
        .then(function (r) { return r.json(); })
        .then(function (d) { if (state && d.saved_at) state.textContent = "Unsaved changes kept at " + d.saved_at + (d.stale ? " (someone else has saved since you opened this)" : ""); })
        .catch(function () { dirty = true; if (state) state.textContent = "Could not keep your changes; check the connection."; });
    }, 15000);
  }
  var leaving = false;
  form.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("beforeunload", function (e) { if (dirty && !leaving) { e.preventDefault(); e.returnValue = ""; } });

  // Put autosaved text back.
  var restore = document.getElementById("autosave-restore"), saved = document.getElementById("autosave-data");
  if (restore && saved) {
    restore.addEventListener("click", function () {
      var data = JSON.parse(saved.textContent);
      Object.keys(data).forEach(function (name) { var el = form.elements[name]; if (el && name !== "version") el.value = data[name]; });
      if (rich && data.body !== undefined) { rich.innerHTML = data.body; placeMarker(); }
      markDirty();
      document.getElementById("autosave-banner").hidden = true;
    });
  }
})();
