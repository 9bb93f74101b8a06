// Apollo Client 4 follows one petition over GraphQLWsLink (see driver.mjs).
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { tap } from "rxjs";
import { FOLLOW, config, emit, fail, followClient, keepCursor } from "./driver.mjs";

// The resume pattern as an Apollo link: the operation gets variables of its own, which
// GraphQLWsLink hands to graphql-ws as the payload it re-sends on reconnection, and each
// event's cursor is kept in them.
const resume = new ApolloLink((operation, forward) => {
  const variables = { ...operation.variables };
  operation.variables = variables;
  return forward(operation).pipe(tap(keepCursor(variables)));
});

const client = new ApolloClient({
  link: ApolloLink.from([resume, new GraphQLWsLink(followClient())]),
  cache: new InMemoryCache(),
});

client
  .subscribe({ query: gql(FOLLOW), variables: { code: config.code, after: config.after } })
  .subscribe({
    next: ({ data, error }) => (error ? fail(error) : emit({ event: data.petitionEvents })),
    error: fail,
    complete: () => emit({ state: "complete" }),
  });
