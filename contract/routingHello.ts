// The method a routing client sends first on Windows (PROTOCOL.md §Routing): a nonce of its own,
// answered with the proof that the server knows its announcement's secret (routing/endpoint.ts
// helloProof). Named here once: the CLI's thin path sends it without the message table.
export const HELLO_METHOD = 'runboard/hello';
