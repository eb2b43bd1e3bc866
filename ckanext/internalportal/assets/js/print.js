/* « Imprimer » (package/read.html): each button marked data-internalportal-print is shown
   (it is hidden without JavaScript, where it could do nothing) and opens the browser's print
   dialog; css/print.css lays the page out for paper. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-internalportal-print]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
