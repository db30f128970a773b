// The lab page's terminal: xterm.js attached over a WebSocket to a shell in the learner's
// toolbox Pod. Binary frames carry keystrokes and output; a text frame {"type":"resize"} the
// size. A dropped connection is retried a few times (a network blip); a reload reconnects by
// itself when the terminal was open (sessionStorage), to a new shell in the same Pod.
(function () {
  "use strict";
  var root = document.getElementById("lab-terminal");
  if (!root || typeof Terminal === "undefined") return;
  // xterm.js adds <style> elements; the page's policy admits them with this nonce only.
  var nonce = root.dataset.nonce;
  var create = Document.prototype.createElement;
  Document.prototype.createElement = function (tag, opts) {
    var el = create.call(this, tag, opts);
    if (nonce && String(tag).toLowerCase() === "style") el.nonce = nonce;
    return el;
  };
  var box = root.querySelector(".terminal-box");
  var status = root.querySelector("[data-terminal-status]");
  var button = root.querySelector("[data-terminal-open]");
  var key = "kcnaprep-terminal:" + location.pathname;
  var term, fit, ws, retries = 0, enc = new TextEncoder();

  function say(msg) { status.textContent = msg; }

  function sendSize() {
    if (ws && ws.readyState === WebSocket.OPEN && term) {
      ws.send(JSON.stringify({ type: "resize", cols: term.cols, rows: term.rows }));
    }
  }

  function setUp() {
    term = new Terminal({ cursorBlink: true, fontSize: 14, scrollback: 5000,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" });
    fit = new FitAddon.FitAddon();
    term.loadAddon(fit);
    term.loadAddon(new WebLinksAddon.WebLinksAddon());
    root.classList.add("open");
    term.open(box);
    fit.fit();
    term.onData(function (d) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(enc.encode(d)); });
    term.onResize(sendSize);
    window.addEventListener("resize", function () { fit.fit(); });
  }

  function connect() {
    if (!term) setUp();
    sessionStorage.setItem(key, "1");
    button.hidden = true;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.ws;
    ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = function () { retries = 0; say("Connecting…"); sendSize(); term.focus(); };
    ws.onmessage = function (ev) {
      if (typeof ev.data === "string") {
        try { say(JSON.parse(ev.data).message); } catch (e) { /* not ours */ }
        return;
      }
      if (status.dataset.live !== "1") { status.dataset.live = "1"; say("Connected: your shell runs in the lab's cluster."); root.dataset.connected = "1"; }
      term.write(new Uint8Array(ev.data));
    };
    ws.onclose = function (ev) {
      status.dataset.live = "";
      root.dataset.connected = "";
      if (ev.code >= 4000 && ev.code < 5000 || ev.code === 1000) {
        say(ev.reason || "The terminal closed.");
        button.textContent = "Reconnect";
        button.hidden = false;
        return;
      }
      if (retries < 5) {
        retries++;
        say("Connection lost; reconnecting…");
        setTimeout(connect, 1000 * retries);
        return;
      }
      say("The terminal cannot reach the server.");
      button.textContent = "Reconnect";
      button.hidden = false;
    };
  }

  button.addEventListener("click", function () { retries = 0; connect(); });
  if (sessionStorage.getItem(key) === "1") connect();
})();
