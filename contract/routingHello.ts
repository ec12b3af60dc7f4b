// The method a routing client sends first on Windows (PROTOCOL.md §Routing): a nonce of its own,
// answered with the proof that the server knows its announcement's secret (routing/endpoint.ts
// helloProof). The message table declares it (server/src/protocol.ts Requests.hello); the CLI's thin
// path sends it without loading the table, by this name — test/unit/routing/endpoint.test.ts holds the two equal.
export const HELLO_METHOD = 'runboard/hello';
