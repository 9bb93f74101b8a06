// Headless Chromium for tests/clients/test_browser.py, through playwright-core.
//
// Started as `node browser.mjs '{"executablePath": "/usr/bin/chromium", "args": [...]}'`.
// Reads commands, one JSON object a line on stdin, and answers each with
// {"reply": <id>, "result": ...} or {"reply": <id>, "error": "..."}:
//   {"id": 1, "cmd": "open", "page": "a", "url": "http://127.0.0.2:8123/"}
//   {"id": 2, "cmd": "eval", "page": "a", "expression": "window.sockets"}
// Reports what the browser does as it happens, one {"kind": ..., "page": ...} a line:
// "console" (the arguments as JSON values), "pageerror", "request" and "response" (from
// the DevTools protocol, which reports CORS preflights too), and the page's WebSockets:
// "ws-open", "ws-sent" and "ws-received" (each frame), "ws-close".
// Exits, closing the browser, when stdin closes or after its watchdog (watchdogMs).
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const config = JSON.parse(process.argv[2] ?? "{}");
const emit = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const browser = await chromium.launch({
  executablePath: config.executablePath,
  args: config.args ?? [],
  headless: true,
  timeout: 30_000,
});
const context = await browser.newContext();
const pages = new Map();

let closing = null;
function shutdown(code) {
  closing ??= browser.close().finally(() => process.exit(code));
  return closing;
}
setTimeout(() => {
  emit({ kind: "watchdog" });
  shutdown(2);
}, config.watchdogMs ?? 90_000).unref();

async function consoleArgs(message) {
  try {
    return await Promise.all(message.args().map((arg) => arg.jsonValue()));
  } catch {
    return [message.text()];
  }
}

function watchSocket(name, socket) {
  const url = socket.url();
  emit({ kind: "ws-open", page: name, url });
  socket.on("framesent", ({ payload }) => emit({ kind: "ws-sent", page: name, url, payload }));
  socket.on("framereceived", ({ payload }) =>
    emit({ kind: "ws-received", page: name, url, payload }),
  );
  socket.on("close", () => emit({ kind: "ws-close", page: name, url }));
}

async function watchNetwork(name, page) {
  const cdp = await context.newCDPSession(page);
  const methods = new Map();
  cdp.on("Network.requestWillBeSent", ({ requestId, request, type }) => {
    methods.set(requestId, request.method);
    emit({ kind: "request", page: name, type, method: request.method, url: request.url,
           headers: request.headers, postData: request.postData ?? null });
  });
  cdp.on("Network.responseReceived", ({ requestId, response, type }) => {
    emit({ kind: "response", page: name, type, method: methods.get(requestId),
           url: response.url, status: response.status, headers: response.headers,
           fromCache: Boolean(response.fromDiskCache) });
  });
  await cdp.send("Network.enable");
}

async function open(name, url) {
  const page = await context.newPage();
  pages.set(name, page);
  page.on("console", async (message) => {
    emit({ kind: "console", page: name, type: message.type(), text: message.text(),
           args: await consoleArgs(message) });
  });
  page.on("pageerror", (error) => emit({ kind: "pageerror", page: name, message: String(error) }));
  page.on("websocket", (socket) => watchSocket(name, socket));
  await watchNetwork(name, page);
  await page.goto(url, { timeout: 15_000 });
}

const AXE = new URL("../../../node_modules/axe-core/axe.min.js", import.meta.url);
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// axe-core in the page: through the DevTools protocol, which the page's CSP (no inline
// script) does not govern, then run against WCAG 2.1 A and AA.
async function axe(page) {
  const source = await readFile(AXE, "utf8");
  await page.evaluate(source);
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
    WCAG_AA,
  );
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}

const commands = {
  open: ({ page, url }) => open(page, url),
  eval: ({ page, expression }) => pages.get(page).evaluate(expression),
  goto: async ({ page, url }) => { await pages.get(page).goto(url, { timeout: 15_000 }); },
  viewport: ({ page, width, height }) => pages.get(page).setViewportSize({ width, height }),
  screenshot: async ({ page, path, fullPage }) => {
    await pages.get(page).screenshot({ path, fullPage: fullPage ?? true });
  },
  axe: ({ page }) => axe(pages.get(page)),
  fill: ({ page, selector, value }) => pages.get(page).fill(selector, value),
  check: ({ page, selector }) => pages.get(page).check(selector),
  select: ({ page, selector, value }) => pages.get(page).selectOption(selector, value),
  // files: [{ name, mimeType, base64 }], chosen in a file input as a person would
  setFiles: ({ page, selector, files }) => pages.get(page).setInputFiles(selector,
    files.map((f) => ({ name: f.name, mimeType: f.mimeType, buffer: Buffer.from(f.base64, "base64") }))),
  click: async ({ page, selector }) => {
    const target = pages.get(page);
    await Promise.all([target.waitForLoadState("load"), target.click(selector)]);
  },
  submit: async ({ page, selector }) => {
    const target = pages.get(page);
    await Promise.all([target.waitForNavigation({ timeout: 15_000 }), target.click(selector)]);
  },
  waitFor: ({ page, selector, state, timeoutMs }) =>
    pages.get(page).waitForSelector(selector, { state: state ?? "visible", timeout: timeoutMs ?? 15_000 }).then(() => null),
  text: ({ page, selector }) => pages.get(page).textContent(selector),
};

createInterface({ input: process.stdin })
  .on("line", async (line) => {
    let id = null;
    try {
      const command = JSON.parse(line);
      id = command.id;
      emit({ reply: id, result: (await commands[command.cmd](command)) ?? null });
    } catch (error) {
      emit({ reply: id, error: String(error?.stack ?? error) });
    }
  })
  .on("close", () => shutdown(0));
emit({ kind: "ready", version: browser.version() });
