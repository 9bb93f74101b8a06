// Apollo Client 4 over HTTP: `config.task` picks one of the jobs below; each reports its
// findings as {"result": ...} and exits (see driver.mjs for the conversation).
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { relayStylePagination } from "@apollo/client/utilities";
import { filter, firstValueFrom } from "rxjs";
import { config, emit } from "./driver.mjs";

const uri = `${config.httpUrl}/graphql`;

function client(link = new HttpLink({ uri }), cache = new InMemoryCache()) {
  return new ApolloClient({ link, cache });
}

async function query() {
  const { data } = await client().query({
    query: gql`
      query Petition($code: String!) {
        petition(trackingCode: $code) { trackingCode status agency { code } }
      }
    `,
    variables: { code: config.code },
  });
  return data.petition;
}

// Two pages of `petitions` through relayStylePagination: fetchMore with the first page's
// endCursor, then the cache's edges, which must hold both pages in order.
async function paginate() {
  const PAGE = gql`
    query Page($first: Int!, $after: String) {
      petitions(first: $first, after: $after) {
        edges { cursor node { id trackingCode } }
        pageInfo { hasNextPage endCursor }
      }
    }
  `;
  const cache = new InMemoryCache({
    typePolicies: { Query: { fields: { petitions: relayStylePagination(["filter", "orderBy"]) } } },
  });
  const apollo = client(new HttpLink({ uri }), cache);
  const watched = apollo.watchQuery({ query: PAGE, variables: { first: config.pageSize } });
  const complete = watched.pipe(filter((result) => result.dataState === "complete"));
  const first = await firstValueFrom(complete);
  const endCursor = first.data.petitions.pageInfo.endCursor;
  const more = await watched.fetchMore({ variables: { after: endCursor } });
  const cached = apollo.readQuery({ query: PAGE, variables: { first: config.pageSize } });
  const watchedNow = watched.getCurrentResult();
  return {
    firstPage: first.data.petitions.edges.map((edge) => edge.cursor),
    endCursor,
    secondPage: more.data.petitions.edges.map((edge) => edge.cursor),
    cached: cached.petitions.edges.map((edge) => edge.cursor),
    cachedCodes: cached.petitions.edges.map((edge) => edge.node.trackingCode),
    watched: watchedNow.data.petitions.edges.map((edge) => edge.cursor),
    pageInfo: cached.petitions.pageInfo,
  };
}

// A public mutation, then an officer's with the bearer header.
async function mutate() {
  const apollo = client();
  const submitted = await apollo.mutate({
    mutation: gql`
      mutation Submit($input: SubmitPetitionInput!) {
        submitPetition(input: $input) {
          trackingCode secret petition { id status version } userErrors { code message }
        }
      }
    `,
    variables: { input: config.submission },
  });
  const { petition } = submitted.data.submitPetition;
  const assigned = await apollo.mutate({
    mutation: gql`
      mutation Assign($input: AssignPetitionInput!) {
        assignPetition(input: $input) {
          petition { id status version agency { code } } userErrors { code message }
        }
      }
    `,
    variables: {
      input: {
        petitionId: petition.id,
        agencyCode: "BTC",
        fieldCode: "DAT_DAI",
        expectedVersion: petition.version,
      },
    },
    context: { headers: { authorization: `Bearer ${config.token}` } },
  });
  return { submitted: submitted.data.submitPetition, assigned: assigned.data.assignPetition };
}

// Automatic persisted queries: the same query twice through PersistedQueryLink. The
// first goes as a hash alone, is not known, and is sent again with its document; the
// second goes as a hash alone and is answered. Every request the link makes is counted.
async function persisted() {
  const requests = [];
  const countingFetch = async (url, init = {}) => {
    const method = init.method ?? "GET";
    const sent =
      method === "GET" ? Object.fromEntries(new URL(url).searchParams) : JSON.parse(init.body);
    const extensions =
      typeof sent.extensions === "string" ? JSON.parse(sent.extensions) : sent.extensions;
    const response = await fetch(url, init);
    const body = await response.clone().json();
    requests.push({
      method,
      document: typeof sent.query === "string" && sent.query.length > 0,
      hash: extensions?.persistedQuery?.sha256Hash ?? null,
      status: response.status,
      errors: (body.errors ?? []).map((error) => ({
        message: error.message,
        code: error.extensions?.code,
      })),
    });
    return response;
  };
  const link = createPersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
    useGETForHashedQueries: config.method === "GET",
  }).concat(new HttpLink({ uri, fetch: countingFetch }));
  const apollo = client(link);
  // The alias makes the document new to the server at every run.
  const AGENCIES = gql(`query Agencies($first: Int!) {
    agencies(first: $first) { edges { node { code } } }
    ${config.nonce}: __typename
  }`);
  const results = [];
  for (let run = 0; run < 2; run += 1) {
    const { data } = await apollo.query({
      query: AGENCIES,
      variables: { first: 3 },
      fetchPolicy: "network-only",
    });
    results.push(data.agencies.edges.map((edge) => edge.node.code));
  }
  return { requests, results };
}

const tasks = { query, paginate, mutate, persisted };
emit({ result: await tasks[config.task]() });
process.exit(0);
