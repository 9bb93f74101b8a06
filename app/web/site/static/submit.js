// The submission form's enhancements, with no library; the form works without them.
// - Petitions like the one being written are suggested as its title (and text) is typed:
//   Query.similarPetitions over POST /graphql (title, text and field, as the server asks
//   when the form comes back), shown as links in #similar (aria-live).
// - The business fields show only for a business (hidden ones are disabled, so a citizen
//   does not send what they typed there before switching).
// - The error summary, when the form came back with errors, takes the focus.
"use strict";
(function () {
  const form = document.getElementById("submit-form");
  if (!form) return;
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

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
