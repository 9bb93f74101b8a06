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
           headers: request.headers });
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

const commands = {
  open: ({ page, url }) => open(page, url),
  eval: ({ page, expression }) => pages.get(page).evaluate(expression),
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
