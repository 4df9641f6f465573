/* Live preview for the Markdown editors: after a pause in typing, the text is sent to the
   portal's preview endpoint (the same renderer learners get) and the answer replaces the
   preview pane. Without JavaScript the "Preview without saving" button does the same. */
(function () {
  "use strict";
  var DELAY_MS = 400;
  var token = document.querySelector('input[name="csrf_token"]');

  function problemList(problems) {
    var box = document.createElement("div");
    if (!problems.length) return box;
    var section = document.createElement("section");
    section.className = "problems";
    var list = document.createElement("ul");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      if (p.line) {
        var tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = (document.documentElement.lang === "en" ? "line " : "baris ") + p.line;
        item.appendChild(tag);
        item.appendChild(document.createTextNode(" "));
      }
      item.appendChild(document.createTextNode(p.message));
      list.appendChild(item);
    });
    section.appendChild(list);
    box.appendChild(section);
    return box;
  }

  document.querySelectorAll(".editor[data-preview-url]").forEach(function (editor) {
    var textarea = editor.querySelector("textarea");
    var target = editor.querySelector(".preview-body");
    var problemsBox = editor.parentNode.querySelector(".preview-problems");
    if (!textarea || !target || !token) return;
    document.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
    var timer = null;
    var sent = 0;

    function refresh() {
      var ticket = ++sent;
      var body = new URLSearchParams();
      body.set("csrf_token", token.value);
      body.set("course", editor.dataset.course);
      body.set("kind", editor.dataset.previewKind);
      body.set("text", textarea.value);
      fetch(editor.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value, "Accept": "application/json" },
        body: body
      }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (answer) {
        if (ticket !== sent) return; // an older answer arriving late
        target.innerHTML = answer.html; // sanitised by the server's renderer
        if (problemsBox) {
          problemsBox.innerHTML = "";
          problemsBox.appendChild(problemList(answer.problems));
        }
        editor.classList.remove("preview-stale");
      }).catch(function () {
        editor.classList.add("preview-stale");
      });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
  });
})();
