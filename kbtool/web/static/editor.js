// kbtool: the article editor — live preview, similar pages, autosave, and a copy of the text
// kept in this browser so nothing typed is lost on a failed submit or an expired session.
"use strict";

(function () {
  const SAVE_DELAY = 1500;
  const PREVIEW_DELAY = 400;
  const SIMILAR_DELAY = 500;

  function debounce(action, delay) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(action, delay);
    };
  }

  function csrfToken() {
    return document.querySelector('meta[name="csrf-token"]').content;
  }

  function post(url, data) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-CSRFToken": csrfToken() } });
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").startsWith("application/json");
  }

  function safeHref(url) {
    return /^https?:\/\//i.test(url) || (url.startsWith("/") && !url.startsWith("//")) ? url : "#";
  }

  function setUpEditor(form) {
    const fields = ["title", "namespace", "body"].map((id) => document.getElementById(id));
    const [title, , body] = fields;
    const status = document.getElementById("autosave-status");
    const pageId = document.getElementById("page-id");
    const preview = document.getElementById("preview");
    const similar = document.getElementById("similar-list");
    const key = "kbtool-article-" + form.dataset.articleId;

    function values() {
      return Object.fromEntries(fields.map((field) => [field.name, field.value]));
    }
    function sameAs(copy) {
      return fields.every((field) => copy[field.name] === field.value);
    }
    function keepCopy() {
      localStorage.setItem(key, JSON.stringify({ ...values(), at: Date.now() }));
    }

    async function save() {
      const sent = values();
      const data = new FormData();
      Object.entries(sent).forEach(([name, value]) => data.append(name, value));
      let response;
      try {
        response = await post(form.dataset.autosaveUrl, data);
      } catch (error) {
        status.textContent = "Serveur injoignable : le texte est gardé dans ce navigateur.";
        return;
      }
      if (!response.ok || !isJson(response)) {
        // Without a session the CSRF check answers 400 and a sign-in redirect comes back as 200.
        status.textContent = response.redirected || response.status === 400
          ? "Session expirée : le texte est gardé dans ce navigateur. Reconnectez-vous, il sera repris."
          : "Enregistrement refusé : le texte est gardé dans ce navigateur.";
        return;
      }
      const answer = await response.json();
      pageId.textContent = answer.page_id || "–";
      status.textContent = "Enregistré à " + new Date().toLocaleTimeString("fr-FR");
      if (sameAs(sent)) localStorage.removeItem(key);
    }

    async function showPreview() {
      const data = new FormData();
      data.append("body", body.value);
      const response = await post(form.dataset.previewUrl, data);
      // The server renders the Markdown and cleans it with nh3 before it comes back.
      if (response.ok && !response.redirected) preview.innerHTML = await response.text();
    }

    async function showSimilar() {
      const url = form.dataset.similarUrl + "?titre=" + encodeURIComponent(title.value);
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || !isJson(response)) return;
      const answer = await response.json();
      similar.replaceChildren(...answer.pages.map(function (page) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = safeHref(page.url);
        link.textContent = page.title;
        item.append(link, " ", page.page_id);
        return item;
      }));
      if (!answer.pages.length) similar.textContent = "Aucune page proche.";
    }

    const saveSoon = debounce(save, SAVE_DELAY);
    const previewSoon = debounce(showPreview, PREVIEW_DELAY);
    const similarSoon = debounce(showSimilar, SIMILAR_DELAY);
    fields.forEach((field) => field.addEventListener("input", function () {
      keepCopy();
      saveSoon();
    }));
    fields[1].addEventListener("change", function () { keepCopy(); saveSoon(); });
    body.addEventListener("input", previewSoon);
    title.addEventListener("input", similarSoon);
    form.addEventListener("submit", keepCopy);

    const copy = JSON.parse(localStorage.getItem(key) || "null");
    if (copy && !sameAs(copy) && copy.at > Number(form.dataset.savedAt) * 1000) {
      fields.forEach((field) => { if (field.name in copy) field.value = copy[field.name]; });
      status.textContent = "Texte repris de ce navigateur (il n'avait pas été enregistré).";
      showPreview();
      save();
    } else if (copy) {
      localStorage.removeItem(key);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("article-form");
    if (form) setUpEditor(form);
  });
})();
