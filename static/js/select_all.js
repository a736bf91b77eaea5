// A checkbox marked data-select-all="NAME" ticks or clears every checkbox named NAME on the page,
// and shows itself half-ticked when only some are.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    function boxes() { return Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][name="' + name + '"]')); }
    function sync() {
      var all = boxes(), ticked = all.filter(function (box) { return box.checked; }).length;
      master.checked = all.length > 0 && ticked === all.length;
      master.indeterminate = ticked > 0 && ticked < all.length;
    }
    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
      master.indeterminate = false;
    });
    document.addEventListener("change", function (event) {
      if (event.target !== master && event.target.name === name) { sync(); }
    });
    sync();
  });
})();
