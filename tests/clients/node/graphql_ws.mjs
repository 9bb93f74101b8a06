// graphql-ws's own client follows one petition (see driver.mjs for the conversation).
import { FOLLOW, config, followClient, keepCursor, reportingSink } from "./driver.mjs";

const payload = { query: FOLLOW, variables: { code: config.code, after: config.after } };
const keep = keepCursor(payload.variables);
const report = reportingSink();
followClient().subscribe(payload, {
  ...report,
  next: (result) => {
    keep(result);
    report.next(result);
  },
});
