// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Mark the page as enhanced: styles may rely on it, and the browser tests check
  // that the pages work with and without it.
  document.documentElement.classList.add("js");
  // The sort applies with its button, never on change: a select that submits on
  // change moves keyboard users away at the first arrow key (RGAA 7.4, WCAG 3.2.2).
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
      if (items[10]) { items[10].querySelector("a").focus(); }
    });
    ul.after(b);
  });
})();
