// kbtool: behaviour of the search and draft pages (no inline scripts: CSP script-src 'self').
"use strict";

(function () {
  const MAX_PICKS = 3;
  const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
  const TRAILING = /[.,;:!?)»]+$/;

  const NOT_TYPED = ["checkbox", "radio", "button", "submit", "reset"];

  // Typing in a text field never fires a shortcut (a checkbox or a button is not typed in).
  function isTyping(target) {
    if (target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName)) return true;
    return target.tagName === "INPUT" && !NOT_TYPED.includes(target.type);
  }

  function plainKey(event) {
    return !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target);
  }

  // Each shortcut: the key (as event.key) → what it does; see _shortcuts.html.
  function onKeys(handlers) {
    document.addEventListener("keydown", function (event) {
      const handler = handlers[event.key];
      if (handler && plainKey(event) && handler(event) !== false) event.preventDefault();
    });
  }

  // "/" brings the agent back to the search box; "?" shows the list of shortcuts.
  function setUpShortcuts() {
    const box = document.getElementById("q");
    const list = document.getElementById("shortcuts");
    if (box && !box.value) box.focus();
    onKeys({
      "/": function () { if (!box) return false; box.focus(); box.select(); },
      "?": function () { if (!list) return false; list.hidden = !list.hidden; },
    });
  }

  // 1 to 5 choose the kind of request, and search again with it.
  function setUpKinds() {
    const select = document.getElementById("kind");
    const box = document.getElementById("q");
    if (!select || !box) return;
    const handlers = {};
    Array.from(select.options).filter((option) => option.dataset.key).forEach(function (option) {
      handlers[option.dataset.key] = function () {
        select.value = option.value;
        if (box.value.trim()) select.form.requestSubmit();
      };
    });
    onKeys(handlers);
  }

  // j/k move between the results' sections, x cites the current one, o reads it in place,
  // Enter drafts the reply with the cited sections, s reports a bug with them.
  function setUpResultKeys() {
    const form = document.getElementById("draft-form");
    if (!form) return;
    const boxes = Array.from(form.querySelectorAll("input.pick"));
    const current = () => boxes.indexOf(document.activeElement);
    function move(step) {
      const next = boxes[Math.min(boxes.length - 1, Math.max(0, current() + step))];
      if (!next) return false;
      next.focus();
      next.closest("li.section").scrollIntoView({ block: "nearest" });
    }
    function currentBox() { return boxes[current()] || null; }
    onKeys({
      "j": () => move(1),
      "k": () => move(current() === -1 ? 1 : -1),
      "x": function () {
        const box = currentBox();
        if (!box || box.disabled) return false;
        box.click();
      },
      "o": function () {
        const box = currentBox();
        const details = box && box.closest("li.section").querySelector("details");
        if (!details) return false;
        details.open = !details.open;
      },
      "s": function () {  // a bug or missing elements: report them, with the cited sections
        const report = document.getElementById("report-link");
        if (!report) return false;
        report.click();
      },
      "Enter": function (event) {
        if (!currentBox()) return false;
        event.preventDefault();
        form.requestSubmit();
      },
    });
  }

  // One to three results may be ticked; the draft button says how many.
  function setUpPicks() {
    const form = document.getElementById("draft-form");
    if (!form) return;
    const boxes = Array.from(form.querySelectorAll("input.pick"));
    const button = document.getElementById("draft-button");
    const counter = document.getElementById("pick-count");
    const report = document.getElementById("report-link");
    const reportBase = report && report.getAttribute("href");
    function update() {
      const ticked = boxes.filter((box) => box.checked);
      counter.textContent = String(ticked.length);
      button.disabled = ticked.length === 0;
      boxes.forEach((box) => { box.disabled = !box.checked && ticked.length >= MAX_PICKS; });
      if (report) {  // the report to the developers takes the cited sections along
        const picks = new URLSearchParams(ticked.map((box) => ["pick", box.value]));
        report.href = reportBase + (ticked.length ? "&" + picks.toString() : "");
      }
    }
    boxes.forEach((box) => box.addEventListener("change", update));
    update();
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // Plain reply → HTML: escaped text, links made clickable, blank lines → paragraphs.
  function linkify(line) {
    let html = "";
    let last = 0;
    for (const match of line.matchAll(URL_PATTERN)) {
      const url = match[0].replace(TRAILING, "");
      html += escapeHtml(line.slice(last, match.index));
      html += '<a href="' + escapeHtml(url) + '">' + escapeHtml(url) + "</a>";
      last = match.index + url.length;
    }
    return html + escapeHtml(line.slice(last));
  }

  function textToHtml(text) {
    return text.trim().split(/\n\s*\n/).map(function (paragraph) {
      return "<p>" + paragraph.split("\n").map(linkify).join("<br>") + "</p>";
    }).join("\n");
  }

  async function writeClipboard(text, format) {
    if (format === "html") {
      await navigator.clipboard.write([new ClipboardItem({
        "text/html": new Blob([textToHtml(text)], { type: "text/html" }),
        "text/plain": new Blob([text], { type: "text/plain" }),
      })]);
    } else {
      await navigator.clipboard.writeText(text);
    }
  }

  function recordCopy(url, text, format) {
    const data = new FormData();
    data.append("body", text);
    data.append("format", format);
    return kbtool.post(url, data);  // autosave.js, loaded by the draft page
  }

  function setUpCopy() {
    const bar = document.querySelector(".copy-bar");
    const body = document.getElementById("body");
    if (!bar || !body) return;
    const status = document.getElementById("copy-status");
    // Ctrl+Enter, even while typing in the reply, copies it as plain text.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        document.getElementById("copy-text").click();
      }
    });
    [["copy-text", "text"], ["copy-html", "html"]].forEach(function ([id, format]) {
      document.getElementById(id).addEventListener("click", async function () {
        const text = body.value;
        try {
          await writeClipboard(text, format);
        } catch (error) {
          status.textContent = "La copie a échoué : sélectionnez le texte et copiez-le à la main.";
          return;
        }
        const response = await recordCopy(bar.dataset.copyUrl, text, format);
        status.textContent = response.ok ? "Réponse copiée." : "Réponse copiée (non enregistrée).";
      });
    });
  }

  // The reply draft saves itself as an article does (autosave.js, loaded by the draft page).
  function setUpDraftAutosave() {
    const form = document.getElementById("draft-edit");
    if (form) kbtool.autosave(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpShortcuts();
    setUpKinds();
    setUpResultKeys();
    setUpPicks();
    setUpCopy();
    setUpDraftAutosave();
  });
})();
