// kbtool: the bug path page (ticket.html). Copy buttons for the texts it composed, and the check
// of the client message: a promised date or delay is shown before copying (the server detects
// it, so the page and the tests share one list of phrases).
"use strict";

(function () {
  const CHECK_DELAY = 400;

  // The warning for the message now on screen ("" when it promises nothing).
  async function deadlineWarning(box, url) {
    const data = new FormData();
    data.append("text", box.value);
    data.append("number", document.getElementById("number").value);
    const response = await kbtool.post(url, data);  // autosave.js
    if (!response.ok) return "";
    return (await response.json()).warning;
  }

  function setUpDeadlineCheck() {
    const check = document.querySelector(".deadline-check");
    if (!check) return null;
    const box = document.getElementById("client-message");
    const warning = document.getElementById("deadline-warning");
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
    return { box, refresh };
  }

  // A client message promising a delay is not copied on the first click: the warning shows, and
  // only a second click (the agent has read it) copies it as it is.
  function setUpCopy(deadlines) {
    document.querySelectorAll("button.copy").forEach(function (button) {
      const box = document.getElementById(button.dataset.copy);
      const status = button.parentElement.querySelector(".copy-status");
      let confirmedFor = null;
      button.addEventListener("click", async function () {
        if (deadlines && box === deadlines.box && confirmedFor !== box.value) {
          if (await deadlines.refresh()) {
            confirmedFor = box.value;
            status.textContent = "Non copié : retirez le délai, ou cliquez encore pour copier tel quel.";
            return;
          }
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
    setUpCopy(setUpDeadlineCheck());
  });
})();
