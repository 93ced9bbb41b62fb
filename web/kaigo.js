/* kaigo.js - the pages work without it; it only adds (docs/ui.md):
 * - a warning before an idle session expires (aria-live), with a button that keeps the
 *   session (a GET of /session, which counts as activity) - JIS X 8341-3 / WCAG 2.2.1;
 * - a print button on pages that offer one (data-print; without script the browser's own
 *   print prints the same A4 layout);
 * - the 第6表 editor's 第7表 recomputed as the form changes (form[data-sheet7]: the form is posted
 *   to that URL, the panel it answers replaces the one shown, and its first sentence goes to a
 *   status line for screen readers); without script 「第7表を計算」 posts the whole page;
 * - a running batch print's page reloads itself ([data-refresh]: every N seconds); without script a link reloads it. */
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
  var plan = document.querySelector('form[data-sheet7]');
  var live = document.getElementById('sheet7-live');
  if (plan && live && window.fetch && window.URLSearchParams && window.FormData) {
    var status = document.createElement('p');
    status.className = 'note';
    status.setAttribute('role', 'status');
    live.parentNode.insertBefore(status, live);
    var seq = 0, pending = null;
    var recompute = function () {
      var n = ++seq;
      var body = new URLSearchParams(new FormData(plan));
      body.delete('action');
      fetch(plan.getAttribute('data-sheet7'), {
        method: 'POST', body: body, credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
      }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
        if (html === null || n !== seq) return;
        // a price being typed keeps its value, focus and caret across the swap
        var act = document.activeElement, id = act && live.contains(act) ? act.id : null;
        var typed = id ? act.value : null, at = id ? act.selectionStart : null;
        live.innerHTML = html;
        var again = id ? document.getElementById(id) : null;
        if (again) {
          again.value = typed;
          again.focus();
          try { again.setSelectionRange(at, at); } catch (e) { /* not a text input */ }
        }
        var first = live.querySelector('#sheet7 p');
        status.textContent = '第7表を計算し直しました。' + (first ? first.textContent : '');
        live.setAttribute('data-computed', String(n));
      });
    };
    var later = function () {
      if (pending) clearTimeout(pending);
      pending = setTimeout(recompute, 200);
    };
    plan.addEventListener('input', later);
    plan.addEventListener('change', later);
  }
  var refresh = document.querySelector('[data-refresh]');
  if (refresh) {
    var secs = parseInt(refresh.getAttribute('data-refresh'), 10) || 2;
    setTimeout(function () { window.location.reload(); }, secs * 1000);
  }
})();
