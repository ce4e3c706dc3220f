// The GraphQL-over-HTTP reference audit (npm graphql-http) against a running server.
// Usage: node .ci/graphql-http-audit.mjs http://127.0.0.1:8000/graphql
// Prints every audit that is not ok, then "N ok, N notices, N warnings, N errors";
// exits 1 on any warning or error.
import { createRequire } from 'node:module';

const require = createRequire(new URL('./node/package.json', import.meta.url));
const { auditServer } = require('graphql-http');

const url = process.argv[2];
if (!url) {
  console.error('usage: node .ci/graphql-http-audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = (await result.response.text()).slice(0, 300);
    } catch {
      // the body was read by the audit already
    }
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}\n  ${result.reason}${body ? `\n  body: ${body}` : ''}`);
  }
}
console.log(`${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
