/* kaigo.js - the pages work without it; it only adds (docs/ui.md):
 * - a warning before an idle session expires (aria-live), with a button that keeps the
 *   session (a GET of /session, which counts as activity) - JIS X 8341-3 / WCAG 2.2.1;
 * - a print button on pages that offer one (data-print; without script the browser's own
 *   print prints the same A4 layout). */
(function () {
  'use strict';
  var note = document.getElementById('session-note');
  var warn = document.getElementById('session-warning');
  if (note && warn) {
    var idle = parseInt(note.getAttribute('data-idle-ms'), 10) || 0;
    var lead = 2 * 60 * 1000;
    var timer = null;
    var arm = function () {
      if (timer) clearTimeout(timer);
      warn.hidden = true;
      if (idle > lead) timer = setTimeout(function () { warn.hidden = false; }, idle - lead);
    };
    var keep = document.getElementById('session-keep');
    if (keep) {
      keep.addEventListener('click', function () {
        var x = new XMLHttpRequest();
        x.open('GET', '/session');
        x.onload = function () {
          if (x.status === 200) arm(); else window.location.href = '/login';
        };
        x.send();
      });
    }
    arm();
  }
  var buttons = document.querySelectorAll('[data-print]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener('click', function () { window.print(); });
  }
})();
