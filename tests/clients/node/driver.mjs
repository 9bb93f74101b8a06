// What every Node client script shares: the JSON-lines conversation with the Python test,
// a watchdog, and a graphql-ws client whose reconnection the test controls.
//
// Each script is started as `node <script>.mjs '<config JSON>'`. It prints one JSON object
// a line on stdout:
//   {"state": "connected" | "closed" | "waiting" | "complete", "code"?: <close code>}
//   {"sent": <variables of a subscribe message as it went on the wire>}
//   {"event": <petitionEvents payload>}       {"result": <anything a script reports>}
//   {"error": "<message>"}                    (then the script exits non-zero)
// and reads commands, one JSON object a line on stdin: {"command": "disconnect" | "resume" |
// "stop"}. When stdin closes (the test went away), the script exits.
import { createInterface } from "node:readline";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

export const config = JSON.parse(process.argv[2] ?? "{}");

export function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

export function fail(error) {
  emit({ error: error instanceof Error ? (error.stack ?? String(error)) : JSON.stringify(error) });
  process.exit(2);
}

process.on("unhandledRejection", fail);
process.on("uncaughtException", fail);
const watchdog = () => fail(new Error("watchdog: the test sent no stop"));
setTimeout(watchdog, config.watchdogMs ?? 60_000).unref();

const commands = new Map([["stop", () => process.exit(0)]]);

export function onCommand(name, handler) {
  commands.set(name, handler);
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    const { command } = JSON.parse(line);
    const handler = commands.get(command);
    if (!handler) fail(new Error(`unknown command ${command}`));
    Promise.resolve(handler()).catch(fail);
  })
  .on("close", () => process.exit(0));

// The subscription every follow script runs.
export const FOLLOW = `subscription Follow($code: String!, $after: String) {
  petitionEvents(trackingCode: $code, after: $after) { cursor action toStatus }
}`;

// The resume pattern. graphql-ws (and so Apollo's GraphQLWsLink and urql's
// subscriptionExchange forwarding to it) resubscribes after a retryable close (1012, a
// dropped socket) by sending the *same* payload object again. Keeping the cursor of the
// last event received in that payload's `variables.after` makes the resubscription resume
// where the client stopped: the server replays what it missed, once, then goes live.
export function keepCursor(variables) {
  return (result) => {
    const cursor = result?.data?.petitionEvents?.cursor;
    if (cursor) variables.after = cursor;
  };
}

// ws as graphql-ws expects it, reporting each subscribe message it sends (so the test sees
// the variables of every resubscription) and refusing binary frames, as browsers' clients do.
class ReportingWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.on("message", (_data, isBinary) => {
      if (isBinary) fail(new Error("the server sent a binary frame"));
    });
  }

  send(data, ...rest) {
    const message = JSON.parse(data);
    if (message.type === "subscribe") emit({ sent: message.payload.variables });
    return super.send(data, ...rest);
  }
}

function deferred() {
  let resolve;
  const promise = new Promise((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

// A graphql-ws client with stock retries, except that after a close it waits for the
// test's "resume" before it reconnects (retryWait is graphql-ws's hook for that delay), so
// the test can write events while the client is away. "disconnect" drops the socket as a
// network failure would (graphql-ws retries that, code 4499).
export function followClient() {
  let gate = null;
  const client = createClient({
    url: config.wsUrl,
    webSocketImpl: ReportingWebSocket,
    retryAttempts: 5,
    retryWait: async () => {
      emit({ state: "waiting" });
      await gate?.promise;
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
    on: {
      connected: () => {
        gate = null;
        emit({ state: "connected" });
      },
      closed: (event) => {
        gate ??= deferred();
        emit({ state: "closed", code: event?.code });
      },
    },
  });
  onCommand("disconnect", () => client.terminate());
  onCommand("resume", () => gate?.resolve());
  onCommand("stop", async () => {
    await client.dispose();
    process.exit(0);
  });
  return client;
}

// A sink that reports what a subscription delivers, in the shape the test reads.
export function reportingSink() {
  return {
    next: (result) =>
      emit(
        result.errors
          ? { error: JSON.stringify(result.errors) }
          : { event: result.data.petitionEvents },
      ),
    error: (error) => fail(error),
    complete: () => emit({ state: "complete" }),
  };
}
