/* The portal's forms (forms.css, templates/macros/form/): what the DSFR markup cannot say by
 * itself.
 *
 * CKAN's autocomplete module turns a field into a select2 widget: the field itself is hidden
 * (aria-hidden) and the widget's own elements take the focus, without the field's name (the
 * combobox of a multiple select has none, the search box is called « Search »). Each widget's
 * focusable elements are named by the field's DSFR label (aria-labelledby) and described by
 * its hint and error message (the field's aria-describedby); a click on the label opens the
 * widget. Widgets appear when CKAN's modules start (after the page's translations arrive) and
 * when a repeating group is added: a MutationObserver catches them. */
(function () {
  'use strict';

  function labelFor(field) {
    if (!field.id) { return null; }
    var label = document.querySelector('label[for="' + (window.CSS && CSS.escape ? CSS.escape(field.id) : field.id) + '"]');
    if (label && !label.id) { label.id = field.id + '-label'; }
    return label;
  }

  function name(container) {
    var field = container.previousElementSibling;
    if (!field || !field.classList.contains('select2-hidden-accessible')) { return; }
    var label = labelFor(field);
    if (!label) { return; }
    var described = field.getAttribute('aria-describedby');
    container.querySelectorAll('.select2-selection, .select2-search__field').forEach(function (el) {
      var own = el.classList.contains('select2-selection--single')
        ? el.querySelector('.select2-selection__rendered') : null;
      var labelledby = label.id + (own && own.id ? ' ' + own.id : '');
      if (el.getAttribute('aria-labelledby') !== labelledby) { el.setAttribute('aria-labelledby', labelledby); }
      if (el.classList.contains('select2-search__field')) { el.removeAttribute('aria-label'); }
      if (described && el.getAttribute('aria-describedby') !== described) { el.setAttribute('aria-describedby', described); }
    });
    if (!label.dataset.internalportalSelect2) {
      label.dataset.internalportalSelect2 = 'true';
      label.addEventListener('click', function (event) {
        var target = container.querySelector('.select2-search__field') || container.querySelector('.select2-selection');
        if (target) { event.preventDefault(); target.focus(); }
      });
    }
  }

  function scan(root) {
    (root || document).querySelectorAll('.select2-container').forEach(name);
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; scan(document); });
  }

  function start() {
    scan(document);
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
