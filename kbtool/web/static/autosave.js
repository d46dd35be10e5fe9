// kbtool: autosave of an editing form (articles, reply drafts). A copy of the text is kept in this
// browser so nothing typed is lost on a failed save, a failed submit or an expired session, and
// leaving the page while the text is not saved on the server asks first.
//
// The form names its endpoint and fields: data-autosave-url, data-autosave-fields (ids),
// data-autosave-key (of the browser copy), data-saved-at (server time of the stored text), and
// data-unsaved="true" when the server refused the text now on screen.
"use strict";

window.kbtool = (function () {
  const SAVE_DELAY = 1500;

  // A POST of form data with this page's CSRF token, as the app's forms send it.
  function post(url, data) {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-CSRFToken": token } });
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").startsWith("application/json");
  }

  async function refusal(response) {
    const answer = isJson(response) ? await response.json() : {};
    if (answer.error) return "Non enregistré : " + answer.error + " Le texte est gardé dans ce navigateur.";
    // Without a session the CSRF check answers 400 and a sign-in redirect comes back as 200.
    return response.redirected || response.status === 400
      ? "Session expirée : le texte est gardé dans ce navigateur. Reconnectez-vous, il sera repris."
      : "Enregistrement refusé : le texte est gardé dans ce navigateur.";
  }

  // hooks.onSaved(answer) after each save, hooks.onRestored() after the browser copy came back.
  function autosave(form, hooks) {
    const fields = form.dataset.autosaveFields.split(" ").map((id) => document.getElementById(id));
    const status = document.getElementById("autosave-status");
    const key = "kbtool-" + form.dataset.autosaveKey;
    const onSaved = (hooks && hooks.onSaved) || function () {};
    const onRestored = (hooks && hooks.onRestored) || function () {};
    let unsaved = form.dataset.unsaved === "true";
    let submitting = false;
    let timer = null;
    let inFlight = null;

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
        inFlight = post(form.dataset.autosaveUrl, data);
        response = await inFlight;
      } catch (error) {
        status.textContent = "Serveur injoignable : le texte est gardé dans ce navigateur.";
        return;
      } finally {
        inFlight = null;
      }
      if (!response.ok || !isJson(response)) {
        status.textContent = await refusal(response);
        return;
      }
      const answer = await response.json();
      status.textContent = "Enregistré à " + new Date().toLocaleTimeString("fr-FR");
      if (sameAs(sent)) {
        unsaved = false;
        localStorage.removeItem(key);
      }
      onSaved(answer);
    }

    function edited() {
      unsaved = true;
      keepCopy();
      clearTimeout(timer);
      timer = setTimeout(save, SAVE_DELAY);
    }

    fields.forEach((field) => field.addEventListener("input", edited));
    // The submit carries the text on screen: no autosave may land after it with older text.
    form.addEventListener("submit", function (event) {
      clearTimeout(timer);
      if (inFlight) {
        event.preventDefault();
        const submitter = event.submitter;
        inFlight.finally(() => form.requestSubmit(submitter));
        return;
      }
      submitting = true;
      keepCopy();
    });
    window.addEventListener("beforeunload", function (event) {
      if (unsaved && !submitting) event.preventDefault();
    });

    const copy = JSON.parse(localStorage.getItem(key) || "null");
    if (copy && !sameAs(copy) && copy.at > Number(form.dataset.savedAt) * 1000) {
      fields.forEach((field) => { if (field.name in copy) field.value = copy[field.name]; });
      unsaved = true;
      status.textContent = "Texte repris de ce navigateur (il n'avait pas été enregistré).";
      onRestored();
      save();
    } else if (unsaved) {
      keepCopy();
    } else if (copy) {
      localStorage.removeItem(key);
    }
  }

  return { post, isJson, autosave };
})();
