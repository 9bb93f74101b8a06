// Live updates for pakn's pages over its own WebSocket (the graphql-transport-ws protocol),
// with no library. The dashboard's feed (#feed) gets each public event as it happens; a
// petition's page ([data-live-petition]) is re-read from the server when one of its events
// arrives, so what it shows is always what the server renders. After a dropped connection
// it subscribes again with `after` = the last event's cursor: no event is missed.
"use strict";
(function () {
  const feed = document.getElementById("feed");
  const petition = document.querySelector("[data-live-petition]");
  if (!feed && !petition) return;
  const labels = JSON.parse(document.getElementById("labels")?.textContent || "{}");
  const query = `subscription Live($trackingCode: String, $after: String) {
    petitionEvents(trackingCode: $trackingCode, after: $after) {
      cursor action toStatus at petition { trackingCode title }
    }
  }`;
  const trackingCode = petition ? petition.dataset.livePetition : null;
  let cursor = petition ? petition.dataset.liveCursor || null : null;
  let delay = 500;

  function feedItem(event) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    const code = event.petition.trackingCode;
    link.href = `/p/${encodeURIComponent(code)}${feed.dataset.urlSuffix || ""}`;
    link.textContent = code;
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = labels[event.toStatus] || event.toStatus;
    const when = new Date(event.at).toLocaleString(feed.dataset.lang === "en" ? "en-GB" : "vi-VN",
      { timeZone: "Asia/Ho_Chi_Minh" });
    item.append(link, " · ", status, ` · ${labels[event.action] || event.action}`);
    if (event.petition.title) item.append(` · ${event.petition.title}`);
    const muted = document.createElement("span");
    muted.className = "muted";
    muted.textContent = ` · ${when}`;
    item.append(muted);
    item.dataset.cursor = event.cursor;
    feed.prepend(item);
    while (feed.children.length > 30) feed.lastElementChild.remove();
  }

  let refreshing = Promise.resolve();
  function refreshPetition() {
    refreshing = refreshing.then(async () => {
      // no-store: the page is cacheable for seconds, and a cached copy lacks the new event
      const response = await fetch(location.href,
        { cache: "no-store", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("[data-live-petition]");
      if (!fresh) return;
      petition.replaceChildren(...fresh.childNodes);
      petition.dataset.liveCursor = fresh.dataset.liveCursor || "";
      document.dispatchEvent(new CustomEvent("pakn:updated"));
    }).catch(() => {});
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "connection_ack") {
        delay = 500;
        const status = document.getElementById("live-status");
        if (status && status.dataset.liveText) status.textContent = status.dataset.liveText;
        socket.send(JSON.stringify({ id: "live", type: "subscribe",
          payload: { query, variables: { trackingCode, after: cursor } } }));
      } else if (frame.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (frame.type === "next" && frame.payload.data) {
        const event = frame.payload.data.petitionEvents;
        cursor = event.cursor;
        if (feed) feedItem(event);
        if (petition) refreshPetition();
      }
    });
    socket.addEventListener("close", () => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
