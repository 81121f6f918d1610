// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Sort: apply the choice at once (the button stays for keyboard and no-JS users).
  document.querySelectorAll("form.sort select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  // Long facet lists: show the first ten, with a button for the rest.
  document.querySelectorAll(".facet ul").forEach(function (ul) {
    var items = ul.querySelectorAll("li");
    if (items.length <= 10) { return; }
    for (var i = 10; i < items.length; i++) { items[i].hidden = true; }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "more";
    b.textContent = document.documentElement.lang === "en" ? "Show all" : "Tout afficher";
    b.addEventListener("click", function () {
      items.forEach(function (li) { li.hidden = false; });
      b.remove();
    });
    ul.after(b);
  });
})();
