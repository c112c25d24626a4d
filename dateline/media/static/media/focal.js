// The focal point picker: a click on the picture fills the two number inputs,
// which stay the way to set it by keyboard, and a 16:9 preview shows the crop
// teasers will make around it.
(function () {
  "use strict";
  var figure = document.querySelector("[data-focal]");
  var x = document.getElementById("id_focal_x"), y = document.getElementById("id_focal_y");
  var img = figure && figure.querySelector("img");
  if (!img || !x || !y) return;
  var marker = figure.querySelector(".focal__marker");
  var preview = img.cloneNode(false);
  preview.className = "focal__preview";
  preview.alt = "";
  preview.removeAttribute("fetchpriority");
  preview.setAttribute("aria-hidden", "true");
  var label = document.createElement("p");
  label.className = "help";
  label.textContent = "How teasers crop it:";
  figure.appendChild(label);
  figure.appendChild(preview);

  function clamp(v) { return Math.min(Math.max(v, 0), 1); }
  function place() {
    var fx = parseFloat(x.value), fy = parseFloat(y.value);
    if (isNaN(fx) || isNaN(fy)) { marker.hidden = true; return; }
    fx = clamp(fx); fy = clamp(fy);
    marker.style.left = (fx * 100) + "%";
    marker.style.top = (fy * 100) + "%";
    marker.hidden = false;
    preview.style.objectPosition = (fx * 100) + "% " + (fy * 100) + "%";
  }
  img.addEventListener("click", function (event) {
    var box = img.getBoundingClientRect();
    x.value = clamp((event.clientX - box.left) / box.width).toFixed(3);
    y.value = clamp((event.clientY - box.top) / box.height).toFixed(3);
    place();
  });
  x.addEventListener("input", place);
  y.addEventListener("input", place);
  figure.classList.add("focal--active");
  var hint = figure.querySelector(".focal__hint");
  if (hint) hint.hidden = false;
  place();
})();
