// Live updates for pakn's pages over its own WebSocket (the graphql-transport-ws protocol),
// with no library. The dashboard's feed (#feed) gets each public event as it happens, as
// an item cloned from the server's own (#feed-item); a petition's page
// ([data-live-petition]) is re-read from the server when its events arrive, so what it
// shows is always what the server renders, with the reader's place kept (the focused
// control, the open <details>) and one polite announcement (#live-announce).
// When the connection drops, or the server ends the subscription (`error`, `complete`),
// it subscribes again with `after` = the last event's cursor: no event is missed. A
// REPLAY_TOO_LONG refusal names where to resume: the page (or the feed) is read again
// from the server, and the subscription resumes there at once. A refusal that cannot
// succeed another time (an unknown petition, a bad cursor) ends the updates.
"use strict";
(function () {
  const feed = document.getElementById("feed");
  const petition = document.querySelector("[data-live-petition]");
  if (!feed && !petition) return;
  const labels = JSON.parse(document.getElementById("labels")?.textContent || "{}");
  const status = document.getElementById("live-status");
  const announce = document.getElementById("live-announce");
  const query = `subscription Live($trackingCode: String, $after: String) {
    petitionEvents(trackingCode: $trackingCode, after: $after) {
      cursor action toStatus at petition { trackingCode title }
    }
  }`;
  const trackingCode = petition ? petition.dataset.livePetition : null;
  let cursor = petition ? petition.dataset.liveCursor || null : null;
  let delay = 500;

  function showStatus(key) {
    if (status && status.dataset[key]) status.textContent = status.dataset[key];
  }

  function feedItem(event) {
    const item = document.getElementById("feed-item").content.firstElementChild.cloneNode(true);
    const code = event.petition.trackingCode;
    const link = item.querySelector("a");
    link.href = `/p/${encodeURIComponent(code)}${feed.dataset.urlSuffix || ""}`;
    link.textContent = code;
    item.querySelector(".status").textContent = labels[event.toStatus] || event.toStatus;
    item.querySelector(".action").textContent = labels[event.action] || event.action;
    item.querySelector(".title").textContent = event.petition.title || feed.dataset.withheld;
    const time = item.querySelector("time");
    time.dateTime = event.at;
    time.textContent = new Intl.DateTimeFormat(feed.dataset.lang,
      { dateStyle: "medium", timeStyle: "medium", timeZone: "Asia/Ho_Chi_Minh" })
      .format(new Date(event.at));
    feed.prepend(item);
    while (feed.children.length > 30) feed.lastElementChild.remove();
  }

  // The reader's place, by what stays the same when the page changes around it: an
  // element's id, or its nearest id, its tag, its address and its text.
  const FOCUSABLE = "a[href], button, summary, input, select, textarea, [tabindex]";
  function keyOf(element) {
    if (element.id) return `#${element.id}`;
    const anchor = element.parentElement?.closest("[id]")?.id || "";
    return [anchor, element.tagName, element.getAttribute("href") || "",
      element.textContent.trim()].join("|");
  }
  function place() {
    const focused = petition.contains(document.activeElement) ? keyOf(document.activeElement) : null;
    const open = [...petition.querySelectorAll("details[open]")].map(keyOf);
    return { focused, open };
  }
  function restore(kept) {
    for (const details of petition.querySelectorAll("details")) {
      if (kept.open.includes(keyOf(details))) details.open = true;
    }
    if (kept.focused === null) return;
    const same = [...petition.querySelectorAll(FOCUSABLE)].find((e) => keyOf(e) === kept.focused);
    if (same) same.focus();
  }

  // One re-read at a time; events that arrive meanwhile are coalesced into one more.
  let reading = false;
  let again = false;
  async function refreshPetition() {
    if (reading) { again = true; return; }
    reading = true;
    try {
      do {
        again = false;
        // no-store: the page is cacheable for seconds, and a cached copy lacks the new event
        const response = await fetch(location.href,
          { cache: "no-store", headers: { Accept: "text/html" } });
        if (!response.ok) continue;
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.querySelector("[data-live-petition]");
        if (!fresh) continue;
        const kept = place();
        petition.replaceChildren(...fresh.childNodes);
        petition.dataset.liveCursor = fresh.dataset.liveCursor || "";
        restore(kept);
        if (announce) {
          const shown = petition.querySelector("#status")?.textContent || "";
          announce.textContent = announce.dataset.template.replace("{status}", shown);
        }
        document.dispatchEvent(new CustomEvent("pakn:updated", { detail: { quiet: true } }));
      } while (again);
    } catch (_) {
      // the next event, or the next connection, reads the page again
    } finally {
      reading = false;
    }
  }

  // After a refused replay, the feed is read again from the server, as it lists it.
  async function refreshFeed() {
    try {
      const response = await fetch(location.href,
        { cache: "no-store", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("feed");
      if (fresh) feed.replaceChildren(...fresh.childNodes);
    } catch (_) {
      // the feed goes on from the next event
    }
  }

  // What the server's refusal of a subscription means for the next one: resume where it
  // says (at once), give up (it cannot succeed), or try again later.
  const HOPELESS = new Set(["UNKNOWN_PETITION", "INVALID_CURSOR", "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT"]);
  let hopeless = false;
  function refused(errors) {
    for (const error of errors || []) {
      const code = error.extensions?.code;
      if (code === "REPLAY_TOO_LONG" && error.extensions.resumeAfter) {
        cursor = error.extensions.resumeAfter;
        delay = 0;
        if (petition) refreshPetition();
        if (feed) refreshFeed();
      } else if (HOPELESS.has(code)) {
        hopeless = true;
      }
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "connection_ack") {
        showStatus("liveText");
        socket.send(JSON.stringify({ id: "live", type: "subscribe",
          payload: { query, variables: { trackingCode, after: cursor } } }));
      } else if (frame.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (frame.type === "next" && frame.payload.data) {
        delay = 500;
        const event = frame.payload.data.petitionEvents;
        cursor = event.cursor;
        if (feed) feedItem(event);
        if (petition) refreshPetition();
      } else if (frame.type === "next" || frame.type === "error") {
        refused(frame.type === "next" ? frame.payload.errors : frame.payload);
        if (frame.type === "error") socket.close();
      } else if (frame.type === "complete") {
        socket.close();
      }
    });
    socket.addEventListener("close", () => {
      showStatus("offlineText");
      if (hopeless) return;
      setTimeout(connect, delay);
      delay = Math.min(Math.max(delay * 2, 500), 30000);
    });
  }
  connect();
})();
