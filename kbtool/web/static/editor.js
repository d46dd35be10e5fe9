// kbtool: the article editor — live preview and similar pages; autosave, the browser copy of the
// text and the warning before leaving come from autosave.js (loaded first).
"use strict";

(function () {
  const PREVIEW_DELAY = 400;
  const SIMILAR_DELAY = 500;

  function debounce(action, delay) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(action, delay);
    };
  }

  function safeHref(url) {
    return /^https?:\/\//i.test(url) || (url.startsWith("/") && !url.startsWith("//")) ? url : "#";
  }

  function setUpEditor(form) {
    const title = document.getElementById("title");
    const body = document.getElementById("body");
    const pageId = document.getElementById("page-id");
    const preview = document.getElementById("preview");
    const similar = document.getElementById("similar-list");

    async function showPreview() {
      const data = new FormData();
      data.append("body", body.value);
      const response = await kbtool.post(form.dataset.previewUrl, data);
      // The server renders the Markdown and cleans it with nh3 before it comes back.
      if (response.ok && !response.redirected) preview.innerHTML = await response.text();
    }

    async function showSimilar() {
      const url = form.dataset.similarUrl + "?titre=" + encodeURIComponent(title.value);
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || !kbtool.isJson(response)) return;
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

    body.addEventListener("input", debounce(showPreview, PREVIEW_DELAY));
    title.addEventListener("input", debounce(showSimilar, SIMILAR_DELAY));
    kbtool.autosave(form, {
      onSaved: function (answer) { pageId.textContent = answer.page_id || "–"; },
      onRestored: showPreview,
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("article-form");
    if (form) setUpEditor(form);
  });
})();
