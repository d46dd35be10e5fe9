// kbtool: keeps the reviewers' navigation badges (replies to validate, articles to review)
// current without a reload, so a request sent while a reviewer reads another page is seen.
//
// The navigation names the JSON route (data-counts-url) and how often to ask it
// (data-counts-poll-ms); each badge names its count (data-count) and is hidden at zero.
"use strict";

(function () {
  const nav = document.querySelector("nav[data-counts-url]");
  if (!nav) return;

  function show(counts) {
    for (const badge of nav.querySelectorAll("[data-count]")) {
      const value = counts[badge.dataset.count];
      if (!Number.isInteger(value)) continue;
      badge.textContent = String(value);
      badge.hidden = value === 0;
    }
  }

  async function refresh() {
    try {
      const response = await fetch(nav.dataset.countsUrl, {
        credentials: "same-origin", headers: { Accept: "application/json" } });
      // A sign-in page (session expired) is not JSON: the badges keep their last values.
      if (response.ok && (response.headers.get("Content-Type") || "").startsWith("application/json")) {
        show(await response.json());
      }
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
  }

  setInterval(refresh, Number(nav.dataset.countsPollMs) || 30000);
})();
