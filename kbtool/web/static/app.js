// kbtool: behaviour of the search and draft pages (no inline scripts: CSP script-src 'self').
"use strict";

(function () {
  const MAX_PICKS = 3;
  const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
  const TRAILING = /[.,;:!?)»]+$/;

  function isTyping(target) {
    return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
  }

  // "/" anywhere (outside a field) brings the agent back to the search box.
  function setUpShortcut() {
    const box = document.getElementById("q");
    if (!box) return;
    if (!box.value) box.focus();
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey
          && !isTyping(event.target)) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    });
  }

  // One to three results may be ticked; the draft button says how many.
  function setUpPicks() {
    const form = document.getElementById("draft-form");
    if (!form) return;
    const boxes = Array.from(form.querySelectorAll("input.pick"));
    const button = document.getElementById("draft-button");
    const counter = document.getElementById("pick-count");
    function update() {
      const count = boxes.filter((box) => box.checked).length;
      counter.textContent = String(count);
      button.disabled = count === 0;
      boxes.forEach((box) => { box.disabled = !box.checked && count >= MAX_PICKS; });
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
    const token = document.querySelector('meta[name="csrf-token"]').content;
    return fetch(url, { method: "POST", body: data, headers: { "X-CSRFToken": token },
                        credentials: "same-origin" });
  }

  function setUpCopy() {
    const bar = document.querySelector(".copy-bar");
    const body = document.getElementById("body");
    if (!bar || !body) return;
    const status = document.getElementById("copy-status");
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
    setUpShortcut();
    setUpPicks();
    setUpCopy();
    setUpDraftAutosave();
  });
})();
