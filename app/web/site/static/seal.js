// Checks, in the visitor's browser and with no library, what a petition's page shows:
// each answer's seal (the agency's Ed25519 signature over pakn's canonical answer message,
// exactly as tests/support/seal_check.py checks it) and the inclusion of the answer's
// ANSWER event in the transparency log (the signed checkpoint at /log/checkpoint, the
// RFC 9162 inclusion proof of the event's leaf, and that the leaf records this seal, as
// tests/support/inclusion_check.py checks it). Runs again on `pakn:updated` (live.js).
//
// Seal states (data-seal-state): verified, withheld (sealed, text withheld: a version 2
// seal verifies over the text's SHA-256), unverifiable (a version 1 seal without its
// text), failed, unsupported (no WebCrypto Ed25519). Log states (data-state): verified,
// pending (the event is newer than the latest checkpoint: tried again after the next),
// failed, unavailable (the log did not answer), unsupported.
"use strict";
(function () {
  const textsBlock = document.getElementById("check-texts");
  if (!textsBlock) return;
  const texts = JSON.parse(textsBlock.textContent);
  const encoder = new TextEncoder();
  const PENDING_TRIES = 6;
  const UNAVAILABLE_TRIES = 2;
  const LOG_QUERY = "query SealLog($i: Int!, $n: Int!) { logPublicKeys " +
    "inclusionProof(logIndex: $i, treeSize: $n) logEntry(logIndex: $i) }";
  let generation = 0;

  class Unsupported extends Error {}
  class Unavailable extends Error {}
  class Failed extends Error {}

  function fromBase64(text) {
    let binary;
    try {
      binary = atob(text);
    } catch {
      throw new Failed("not base64");
    }
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }
  function base64OrNull(text) {
    try {
      return fromBase64(text);
    } catch {
      return null;
    }
  }
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  function subtle() {
    if (!globalThis.crypto || !crypto.subtle) throw new Unsupported("no WebCrypto");
    return crypto.subtle;
  }

  async function ed25519(publicKey, signature, message) {
    let key;
    try {
      key = await subtle().importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      if (error instanceof Unsupported || error.name === "NotSupportedError") {
        throw new Unsupported("no Ed25519");
      }
      return false; // a malformed key verifies nothing
    }
    return subtle().verify({ name: "Ed25519" }, key, signature, message);
  }

  function utcSecond(text) {
    const when = new Date(text);
    if (Number.isNaN(when.getTime())) throw new Failed("not a time");
    return when.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // --- the seal -----------------------------------------------------------------------

  async function checkSeal(element) {
    const seal = element.dataset;
    const key = JSON.parse(seal.keys || "[]").find((k) => k.keyId === seal.keyId);
    if (!key) return "failed";
    const bodyElement = seal.body ? document.getElementById(seal.body) : null;
    const body = bodyElement ? bodyElement.textContent : null;
    const lines = [seal.trackingCode, seal.agency, utcSecond(seal.answeredAt)];
    let message;
    if (seal.sealVersion === "1") {
      if (body === null) return "unverifiable";
      message = ["pakn-answer-v1", ...lines, body].join("\n");
    } else if (seal.sealVersion === "2") {
      subtle();
      if (body !== null) {
        const digest = hex(await sha256(encoder.encode(body.normalize("NFC"))));
        if (digest !== seal.bodySha256) return "failed";
      }
      const attachments = (seal.attachments ? seal.attachments.split(",") : []).sort();
      message = ["pakn-answer-v2", ...lines, seal.bodySha256, attachments.join(",")].join("\n");
    } else {
      return "unsupported";
    }
    const verified = await ed25519(
      fromBase64(key.publicKey), fromBase64(seal.signature), encoder.encode(message));
    if (!verified) return "failed";
    return body === null ? "withheld" : "verified";
  }

  // --- the transparency log -------------------------------------------------------------

  async function latestCheckpoint() {
    let response;
    try {
      response = await fetch("/log/checkpoint", { cache: "no-store" });
    } catch {
      throw new Unavailable("no checkpoint");
    }
    if (response.status === 404) return null; // none signed yet
    if (!response.ok) throw new Unavailable(`checkpoint: ${response.status}`);
    const note = await response.text();
    const split = note.lastIndexOf("\n\n");
    if (split < 0 || !note.endsWith("\n")) throw new Failed("not a signed note");
    const text = note.slice(0, split + 1);
    const lines = text.slice(0, -1).split("\n");
    if (lines.length < 3 || !/^(0|[1-9][0-9]{0,15})$/.test(lines[1])) {
      throw new Failed("not a checkpoint");
    }
    const root = fromBase64(lines[2]);
    if (root.length !== 32) throw new Failed("not a root hash");
    const signatures = note.slice(split + 2).split("\n").filter((line) => line !== "");
    return { text, size: Number(lines[1]), root, signatures };
  }

  async function askLog(index, size) {
    let response;
    try {
      response = await fetch("/graphql", {
        method: "POST",
        cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ query: LOG_QUERY, variables: { i: index, n: size } }),
      });
    } catch {
      throw new Unavailable("no answer");
    }
    if (!response.ok) throw new Unavailable(`graphql: ${response.status}`);
    const payload = await response.json();
    if (payload.errors || !payload.data) throw new Unavailable("graphql errors");
    return payload.data;
  }

  // A C2SP note signature by one of the log's verifier keys (<name>+<hex id>+<base64>,
  // type 0x01), whose key id is checked against its name and key.
  async function signedByLog(checkpoint, verifierKeys) {
    const message = encoder.encode(checkpoint.text);
    for (const vkey of verifierKeys) {
      const [name, keyId, ...rest] = vkey.split("+");
      const material = rest.join("+"); // base64 has "+" too
      if (!name || !keyId || !material) continue;
      const raw = base64OrNull(material); // a malformed key is one that signed nothing
      if (!raw || raw.length !== 33 || raw[0] !== 0x01) continue;
      const ownId = (await sha256(concat(encoder.encode(`${name}\n`), raw))).slice(0, 4);
      if (hex(ownId) !== keyId) continue;
      for (const line of checkpoint.signatures) {
        if (!line.startsWith(`\u2014 ${name} `)) continue;
        const blob = base64OrNull(line.slice(name.length + 3));
        if (!blob || blob.length !== 68 || hex(blob.slice(0, 4)) !== keyId) continue;
        return ed25519(raw.slice(1), blob.slice(4), message);
      }
    }
    return false;
  }

  // RFC 9162, section 2.1.3.2, as app/domain/merkle.py verifies it.
  async function rootFromProof(index, size, entry, proof) {
    let hash = await sha256(concat(Uint8Array.of(0), entry));
    let fn = index;
    let sn = size - 1;
    for (const sibling of proof) {
      if (sibling.length !== 32 || sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        hash = await sha256(concat(Uint8Array.of(1), sibling, hash));
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        hash = await sha256(concat(Uint8Array.of(1), hash, sibling));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? hash : null;
  }

  // The entry (app/domain/log_entry.py) is this answer's: its petition, action and agency,
  // and its seal line holds this answer's seal version, key, signature and text digest.
  function entryRecords(entry, seal) {
    const fields = new Map();
    for (const line of new TextDecoder().decode(entry).split("\n")) {
      const space = line.indexOf(" ");
      if (space > 0) fields.set(line.slice(0, space), line.slice(space + 1));
    }
    const d = seal.dataset;
    return fields.get("petition") === d.trackingCode && fields.get("action") === "ANSWER" &&
      fields.get("agency") === d.agency && fields.get("public") === "1" &&
      fields.get("seal") === `${d.sealVersion} ${d.keyId} ${d.signature} ${d.bodySha256}`;
  }

  async function checkLog(element, checkpoints) {
    const seal = document.getElementById(element.dataset.seal);
    const index = Number(element.dataset.logIndex);
    subtle();
    const checkpoint = await checkpoints();
    if (checkpoint === null || index >= checkpoint.size) return { state: "pending" };
    const data = await askLog(index, checkpoint.size);
    if (!(await signedByLog(checkpoint, data.logPublicKeys))) {
      return { state: "failed", reason: "the checkpoint is not signed by the log's key" };
    }
    const entry = fromBase64(data.logEntry);
    const proof = data.inclusionProof.map(fromBase64);
    const root = await rootFromProof(index, checkpoint.size, entry, proof);
    if (root === null || hex(root) !== hex(checkpoint.root)) {
      return { state: "failed", reason: "the proof does not lead to the checkpoint's root" };
    }
    if (!seal || !entryRecords(entry, seal)) {
      return { state: "failed", reason: "the log entry does not record this answer's seal" };
    }
    return { state: "verified", size: checkpoint.size, index };
  }

  // --- showing the outcome -----------------------------------------------------------------

  function show(element, attribute, state, text) {
    element.setAttribute(attribute, state);
    const target = element.querySelector(".state-text");
    if (target) target.textContent = text;
  }

  function failure(error) {
    if (error instanceof Unsupported) return "unsupported";
    if (error instanceof Unavailable) return "unavailable";
    return "failed";
  }

  // A page re-read live (live.js) says once that it changed: its checks, run again, keep
  // quiet (aria-live off) until a later outcome of theirs (a retry), which speaks.
  function hush(element, quiet) {
    const target = element.querySelector(".state-text");
    if (!target) return;
    if (quiet) target.setAttribute("aria-live", "off");
    else target.removeAttribute("aria-live");
  }

  async function sealOf(element, run, quiet) {
    hush(element, quiet);
    show(element, "data-seal-state", "checking", texts.checking);
    let state;
    try {
      state = await checkSeal(element);
    } catch (error) {
      state = error instanceof Unsupported ? "unsupported" : "failed";
    }
    if (run === generation) show(element, "data-seal-state", state, texts.seal[state]);
  }

  async function logOf(element, run, checkpoints, tries = 0, quiet = false) {
    hush(element, quiet);
    if (tries === 0) show(element, "data-state", "checking", texts.checking);
    let outcome;
    try {
      outcome = await checkLog(element, checkpoints);
    } catch (error) {
      outcome = { state: failure(error), reason: String(error.message || error) };
    }
    if (run !== generation) return;
    const { state } = outcome;
    const retry = (state === "pending" && tries < PENDING_TRIES) ||
      (state === "unavailable" && tries < UNAVAILABLE_TRIES);
    let text = texts.log[state];
    if (state === "pending" && !retry) text = texts.log.later;
    if (state === "verified") {
      text = text.replace("{size}", outcome.size.toLocaleString(document.documentElement.lang))
        .replace("{index}", String(outcome.index));
    }
    show(element, "data-state", state, text);
    if (outcome.reason) element.dataset.reason = outcome.reason;
    else delete element.dataset.reason;
    if (retry) {
      const seconds = Math.max(1, Number(texts.retrySeconds) || 10) + 1;
      setTimeout(() => {
        if (run === generation) logOf(element, run, sharedCheckpoint(), tries + 1);
      }, seconds * 1000);
    }
  }

  function sharedCheckpoint() {
    let latest = null;
    return () => {
      latest ??= latestCheckpoint();
      return latest;
    };
  }

  function run(event) {
    generation += 1;
    const current = generation;
    const checkpoints = sharedCheckpoint();
    const quiet = Boolean(event?.detail?.quiet);
    for (const element of document.querySelectorAll(".seal[data-seal-state]")) {
      sealOf(element, current, quiet);
    }
    for (const element of document.querySelectorAll(".log-inclusion[data-log-index]")) {
      logOf(element, current, checkpoints, 0, quiet);
    }
  }

  document.addEventListener("pakn:updated", run);
  run();
})();
