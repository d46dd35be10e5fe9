// kbtool: the bug path page (ticket.html). Copy buttons for the texts it composed, and the check
// of the texts for the client: a promised date or delay is shown before copying (the server
// detects it, so the page and the tests share one list of phrases).
"use strict";

(function () {
  const CHECK_DELAY = 400;

  // The warning for the text now in the box ("" when it promises nothing).
  async function deadlineWarning(box, url) {
    const data = new FormData();
    data.append("text", box.value);
    data.append("number", document.getElementById("number").value);
    const response = await kbtool.post(url, data);  // autosave.js
    if (!response.ok) return "";
    return (await response.json()).warning;
  }

  // Each text for the client is checked as the agent types; its check, by the id of its box.
  function setUpDeadlineChecks() {
    const checks = new Map();
    document.querySelectorAll(".deadline-check").forEach(function (check) {
      const box = check.querySelector("textarea");
      const warning = check.querySelector(".deadline-warning");
      let timer = null;
      async function refresh() {
        const text = await deadlineWarning(box, check.dataset.checkUrl);
        warning.textContent = text;
        warning.hidden = !text;
        return text;
      }
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, CHECK_DELAY);
      });
      checks.set(box.id, refresh);
    });
    return checks;
  }

  // A text for the client promising a delay is not copied on the first click: the warning shows,
  // and only a second click (the agent has read it) copies that text as it is.
  function setUpCopy(checks) {
    document.querySelectorAll("button.copy").forEach(function (button) {
      const box = document.getElementById(button.dataset.copy);
      const status = button.parentElement.querySelector(".copy-status");
      const check = checks.get(box.id);
      let confirmedFor = null;
      button.addEventListener("click", async function () {
        if (check && confirmedFor !== box.value && await check()) {
          confirmedFor = box.value;
          status.textContent = "Non copié : retirez le délai, ou cliquez encore pour copier tel quel.";
          return;
        }
        try {
          await navigator.clipboard.writeText(box.value);
          status.textContent = "Copié.";
        } catch (error) {
          status.textContent = "La copie a échoué : sélectionnez le texte et copiez-le à la main.";
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopy(setUpDeadlineChecks());
  });
})();
