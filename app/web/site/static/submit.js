// The submission form's enhancements, with no library; the form works without them.
// - Petitions like the one being written are suggested as its title (and text) is typed:
//   Query.similarPetitions over POST /graphql (title, text and field, as the server asks
//   when the form comes back), shown as links in #similar (aria-live).
// - The business fields show only for a business (hidden ones are disabled, so a citizen
//   does not send what they typed there before switching).
// - The error summary, when the form came back with errors, takes the focus.
// - The bot check (app/domain/challenge.py, an ALTCHA proof of work): as the page loads,
//   the number whose SHA-256(salt + number) is the challenge is found with WebCrypto and
//   sent as challengeSolution; a form sent before it is found waits for it.
"use strict";
(function () {
  const form = document.getElementById("submit-form");
  if (!form) return;
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  const solution = document.getElementById("challengeSolution");
  if (solution && solution.dataset.challenge && globalThis.crypto && crypto.subtle) {
    let done = false;
    const working = findNumber(JSON.parse(solution.dataset.challenge), solution)
      .catch(() => {})
      .finally(() => { done = true; });
    form.addEventListener("submit", (event) => {
      if (solution.value || done) return; // without a solution the server says why
      event.preventDefault();
      working.then(() => form.requestSubmit());
    });
  }

  async function findNumber(challenge, input) {
    const status = document.getElementById("bot-check");
    if (status) status.textContent = status.dataset.solving;
    const encoder = new TextEncoder();
    const target = Uint8Array.from(challenge.challenge.match(/../g) || [],
      (pair) => parseInt(pair, 16));
    const same = (digest) => {
      const bytes = new Uint8Array(digest);
      return bytes.length === target.length && bytes.every((b, i) => b === target[i]);
    };
    const BATCH = 500;
    for (let start = 0; start <= challenge.maxNumber; start += BATCH) {
      const numbers = [];
      for (let n = start; n < start + BATCH && n <= challenge.maxNumber; n += 1) numbers.push(n);
      const digests = await Promise.all(numbers.map((n) =>
        crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + n))));
      const found = digests.findIndex(same);
      if (found >= 0) {
        const { algorithm, salt, signature } = challenge;
        input.value = btoa(JSON.stringify({ algorithm, challenge: challenge.challenge,
          number: numbers[found], salt, signature }));
        if (status) status.textContent = status.dataset.solved;
        return;
      }
    }
  }

  const business = document.getElementById("business-fields");
  function showBusiness() {
    const chosen = form.querySelector("input[name=channel]:checked");
    const shown = !chosen || chosen.value === "BUSINESS";
    business.hidden = !shown;
    for (const input of business.querySelectorAll("input")) input.disabled = !shown;
  }
  if (business) {
    for (const radio of form.querySelectorAll("input[name=channel]")) {
      radio.addEventListener("change", showBusiness);
    }
    showBusiness();
  }

  const region = document.getElementById("similar");
  const title = document.getElementById("title");
  const body = document.getElementById("body");
  const field = document.getElementById("fieldCode");
  if (!region || !title) return;
  const labels = JSON.parse(document.getElementById("labels")?.textContent || "{}");
  const lang = new URLSearchParams(location.search).get("lang");
  const suffix = lang ? `?lang=${encodeURIComponent(lang)}` : "";
  const intro = region.dataset.intro || "";
  const query = `query Similar($title: String!, $body: String, $fieldCode: String) {
    similarPetitions(title: $title, body: $body, fieldCode: $fieldCode, first: 5) {
      trackingCode title status
    }
  }`;
  let timer = null;
  let asked = "";
  let latest = 0;

  function show(found) {
    if (!found.length) {
      region.replaceChildren();
      return;
    }
    const lead = document.createElement("p");
    lead.textContent = intro;
    const list = document.createElement("ul");
    for (const petition of found) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `/p/${encodeURIComponent(petition.trackingCode)}${suffix}`;
      link.textContent = petition.title || petition.trackingCode;
      const status = document.createElement("span");
      status.className = "status";
      status.textContent = labels[petition.status] || petition.status;
      item.append(link, " ", status);
      list.append(item);
    }
    region.replaceChildren(lead, list);
  }

  async function ask() {
    const words = title.value.trim().slice(0, 200);
    const text = body ? body.value.trim().slice(0, 10000) : "";
    const fieldCode = field && field.value ? field.value : null;
    const key = `${words}\n${text}\n${fieldCode}`;
    if (words.length < 3 || key === asked) return;
    asked = key;
    const mine = ++latest;
    try {
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ query, variables: { title: words, body: text || null, fieldCode } }),
      });
      if (!response.ok) return;
      const result = await response.json();
      if (mine !== latest || !result.data) return;
      show(result.data.similarPetitions || []);
    } catch (_error) {
      // suggestions are a help, not a step: a failure leaves the form as it is
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  }
  title.addEventListener("input", later);
  if (body) body.addEventListener("input", later);
  if (field) field.addEventListener("change", later);
})();
