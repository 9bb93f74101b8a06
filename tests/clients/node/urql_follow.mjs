// urql follows one petition through subscriptionExchange forwarding to graphql-ws
// (see driver.mjs).
import { Client, subscriptionExchange } from "@urql/core";
import { FOLLOW, config, emit, fail, followClient, keepCursor } from "./driver.mjs";

const socket = followClient();

// The resume pattern in the exchange: the payload graphql-ws re-sends on reconnection has
// variables of its own, and each event's cursor is kept in them.
function forwardSubscription(request) {
  const payload = { ...request, query: request.query ?? "", variables: { ...request.variables } };
  const keep = keepCursor(payload.variables);
  return {
    subscribe(sink) {
      const unsubscribe = socket.subscribe(payload, {
        next: (result) => {
          keep(result);
          sink.next(result);
        },
        error: (error) => sink.error(error),
        complete: () => sink.complete(),
      });
      return { unsubscribe };
    },
  };
}

const client = new Client({
  url: config.httpUrl,
  exchanges: [subscriptionExchange({ forwardSubscription })],
});

client.subscription(FOLLOW, { code: config.code, after: config.after }).subscribe((result) => {
  if (result.error) fail(result.error);
  else emit({ event: result.data.petitionEvents });
});
