// kcnaprep: progressive enhancements. Every page works without this file; with it, the
// keyboard drives practice, review and exams, and the exam timer counts down.
(function () {
  "use strict";

  function typing(t) {
    return t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
      (t.tagName === "INPUT" && !/^(radio|checkbox|button|submit)$/.test(t.type)));
  }

  // ---- exam page: answers saved as chosen, errors, timer, submit confirmation ----
  var exam = document.querySelector("[data-exam]");
  var pending = 0, queuedURL = null, chain = Promise.resolve();
  var status = document.getElementById("exam-status");

  function setPending(n) {
    pending = n;
    if (exam) exam.setAttribute("data-pending", String(n));
    if (n === 0 && queuedURL) { var u = queuedURL; queuedURL = null; window.location.href = u; }
  }

  function go(url) {
    if (pending > 0) { queuedURL = url; return; }
    window.location.href = url;
  }

  function showStatus(msg, kind) {
    if (!status) return;
    status.textContent = msg;
    status.className = "exam-status notice " + (kind || "notice-bad");
  }

  if (exam) {
    var resultURL = exam.getAttribute("data-result-url");
    var form = exam.querySelector("[data-exam-answer]");
    // Every change is posted, one after another in the order made, so the server always ends
    // with the learner's last selection. The server's reply replaces the navigator.
    if (form) {
      // The page shows exactly what the server stored: a box beyond the number asked is
      // unticked at once (the server would refuse it), and a refused save puts back the
      // selection the server last confirmed.
      var pick = Number(form.getAttribute("data-pick")) || 0;
      var multiple = form.getAttribute("data-multiple") === "true";
      var selection = function () {
        return [].map.call(form.querySelectorAll('input[name="choice"]:checked'), function (i) { return i.value; });
      };
      var restore = function (vals) {
        form.querySelectorAll('input[name="choice"]').forEach(function (i) { i.checked = vals.indexOf(i.value) >= 0; });
      };
      var confirmed = selection(), warned = false;
      form.addEventListener("change", function (e) {
        var chosen = selection();
        if (multiple && pick > 0 && chosen.length > pick && e.target && e.target.checked) {
          e.target.checked = false;
          warned = true; // a save still in flight must not replace this with "Saved."
          showStatus("This question asks for " + pick + " answers: untick one before choosing another.", "notice-warn");
          return;
        }
        warned = false;
        var body = new URLSearchParams(new FormData(form));
        setPending(pending + 1);
        chain = chain.then(function () {
          return fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
            headers: { "HX-Request": "true" } }).then(function (resp) {
            return resp.text().then(function (text) {
              if (!resp.ok) {
                if (pending === 1) restore(confirmed);
                showStatus(text || "The answer was not saved.");
                if (resp.status === 410) { queuedURL = null; setTimeout(function () { window.location.href = resultURL; }, 2500); }
                return;
              }
              var doc = new DOMParser().parseFromString(text, "text/html");
              var nav = doc.getElementById("exam-navigator"), cur = document.getElementById("exam-navigator");
              if (nav && cur) { nav.removeAttribute("hx-swap-oob"); cur.replaceWith(nav); }
              var cnt = doc.getElementById("saved-count");
              exam.querySelectorAll("[data-answered-count]").forEach(function (el) { if (cnt) el.textContent = cnt.textContent; });
              confirmed = body.getAll("choice");
              if (!warned) showStatus("Saved.", "notice-ok saved");
            });
          }, function () {
            if (pending === 1) restore(confirmed);
            showStatus("Could not reach the server: your last choice is not saved. Check the connection and choose again.");
          });
        }).finally(function () { setPending(pending - 1); });
      });
    }
    window.addEventListener("beforeunload", function (e) {
      if (pending > 0) { e.preventDefault(); e.returnValue = ""; }
    });
    document.body.addEventListener("htmx:responseError", function (e) {
      var xhr = e.detail.xhr;
      showStatus(xhr.responseText || "That did not work.");
      if (xhr.status === 410) { setTimeout(function () { window.location.href = resultURL; }, 2500); }
    });
    // Leaving the page (next, previous, navigator) waits for answers still being saved.
    document.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a[data-exam-nav]");
      if (a && pending > 0) { e.preventDefault(); queuedURL = a.href; }
    });

    // The timer shows the server's deadline, corrected for the client's clock skew.
    var deadline = Number(exam.getAttribute("data-deadline"));
    var skew = Number(exam.getAttribute("data-now")) - Date.now();
    var timer = exam.querySelector("[data-timer]");
    var tick = function () {
      var left = deadline - (Date.now() + skew);
      if (left <= 0) {
        if (timer) timer.textContent = "0:00";
        go(resultURL);
        return;
      }
      var s = Math.floor(left / 1000);
      if (timer) timer.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (s === 300) showStatus("Five minutes left.", "notice-warn");
      setTimeout(tick, 1000 - (left % 1000));
    };
    tick();

    // Submitting with unanswered questions asks for a second press; it waits for saves.
    var sf = document.querySelector("[data-submit-form]");
    if (sf) {
      sf.addEventListener("submit", function (e) {
        var open = document.querySelectorAll('#exam-navigator [data-answered="false"]').length;
        var btn = sf.querySelector("button");
        if (open > 0 && !sf.hasAttribute("data-confirmed")) {
          e.preventDefault();
          sf.setAttribute("data-confirmed", "");
          btn.textContent = "Submit with " + open + " unanswered?";
          showStatus(open + " question(s) unanswered. Press submit again to finish anyway.", "notice-warn");
          return;
        }
        if (pending > 0) {
          e.preventDefault();
          chain.then(function () { sf.submit(); });
        }
      });
    }
  }

  // ---- keyboard: digits choose, letters press the button that carries data-key ----
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var k = e.key;
    if (k === "/") {
      var s = document.getElementById("site-search");
      if (s) { e.preventDefault(); s.focus(); }
      return;
    }
    if (/^[1-9]$/.test(k)) {
      var inputs = document.querySelectorAll('[data-testid="question"] .options input:not([disabled])');
      if (inputs.length > 0) {
        var inp = inputs[Number(k) - 1];
        if (inp) { e.preventDefault(); inp.click(); inp.focus(); }
        return;
      }
    }
    if (k === "Enter") {
      var form = document.querySelector("[data-answer-form]");
      if (form && !(e.target && /^(A|BUTTON)$/.test(e.target.tagName))) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
      return;
    }
    var target = document.querySelector('[data-key="' + (k.length === 1 ? k.toLowerCase() : "") + '"]');
    if (target && k.length === 1) {
      e.preventDefault();
      if (target.tagName === "A" && exam) { go(target.href); } else { target.click(); }
    }
  });
  // ---- classroom: times in the reader's time zone ----
  // Due times are sent in UTC (<time datetime data-local>); shown here in the browser's zone.
  // Forms with a datetime-local field carry the zone (data-tz), so the server reads the
  // times typed in it. Without this script, times stay in UTC both ways.
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  function localize(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d.getTime())) return;
      el.textContent = d.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short",
        year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
      el.title = el.getAttribute("datetime");
    });
    if (zone) root.querySelectorAll("input[data-tz]").forEach(function (el) { el.value = zone; });
  }
  localize(document);
  document.body.addEventListener("htmx:afterSwap", function (e) { localize(e.target.parentNode || document); });
})();
