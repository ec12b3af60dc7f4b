// ToolCallsInOrder (the MCP server's transport wrapper): a session's tool calls run one at a time in
// the order they arrived, a cancelled call lets the next one go although the SDK answers it with
// nothing, and other requests are not held. A real McpServer and Client of the SDK, linked in memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ToolCallsInOrder } from '../../../server/src/cli/mcp/toolCallsInOrder';

/** A server whose `step` tool records its start and waits until the test lets that call end. */
async function session() {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  const server = new McpServer({ name: 'order-test', version: '1.0.0' });
  server.registerTool('step', { description: 'a step', inputSchema: { name: z.string() } }, async ({ name }) => {
    started.push(name);
    await new Promise<void>((resolve) => release.set(name, resolve));
    return { content: [{ type: 'text', text: name }] };
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(new ToolCallsInOrder(serverSide));
  const client = new Client({ name: 'order-test-client', version: '1.0.0' });
  await client.connect(clientSide);
  /** Waits (turns of the event loop, no clock) until `n` calls have started. */
  const startedCount = async (n: number) => {
    for (let i = 0; started.length < n && i < 1000; i++) await new Promise((r) => setImmediate(r));
    return [...started];
  };
  const end = async (name: string) => {
    for (let i = 0; !release.has(name) && i < 1000; i++) await new Promise((r) => setImmediate(r));
    release.get(name)!();
  };
  return { client, started, startedCount, end, close: () => client.close() };
}

describe('ToolCallsInOrder', () => {
  it('runs the calls of a session one at a time, in the order sent; other requests pass meanwhile', async () => {
    const s = await session();
    const calls = ['a', 'b', 'c'].map((name) => s.client.callTool({ name: 'step', arguments: { name } }));
    assert.deepEqual(await s.startedCount(1), ['a']);
    // tools/list is no tool call: answered while a runs.
    assert.equal((await s.client.listTools()).tools.length, 1);
    assert.deepEqual(s.started, ['a'], 'b waits for a');
    await s.end('a');
    assert.deepEqual(await s.startedCount(2), ['a', 'b']);
    await s.end('b');
    await s.end('c');
    assert.deepEqual(
      (await Promise.all(calls)).map((r) => (r.content as { text: string }[])[0].text),
      ['a', 'b', 'c'],
    );
    await s.close();
  });

  it('a call the client cancels (the SDK answers nothing) lets the next one run', async () => {
    const s = await session();
    const abort = new AbortController();
    const first = s.client.callTool({ name: 'step', arguments: { name: 'slow' } }, undefined, { signal: abort.signal });
    const second = s.client.callTool({ name: 'step', arguments: { name: 'next' } });
    assert.deepEqual(await s.startedCount(1), ['slow']);
    abort.abort('the model moved on');
    await assert.rejects(first);
    assert.deepEqual(await s.startedCount(2), ['slow', 'next']);
    await s.end('next');
    assert.equal(((await second).content as { text: string }[])[0].text, 'next');
    await s.end('slow');
    await s.close();
  });

  it("the client's answer to a request of the server's, or the server cancelling its own, does not end the client's call of the same id", async () => {
    // The transport under it, as the wrapper sees one: messages in, messages out.
    const delivered: unknown[] = [];
    const inner = { start: async () => {}, close: async () => {}, send: async () => {} } as unknown as ConstructorParameters<
      typeof ToolCallsInOrder
    >[0];
    const order = new ToolCallsInOrder(inner);
    order.onmessage = (m) => 'method' in m && m.method === 'tools/call' && delivered.push((m as { id: unknown }).id);
    const call = (id: number) => inner.onmessage!({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'step', arguments: {} } });
    call(1);
    call(2);
    assert.deepEqual(delivered, [1]);
    inner.onmessage!({ jsonrpc: '2.0', id: 1, result: {} }); // the client answers the server's request 1
    await order.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }); // the server cancels its request 1
    assert.deepEqual(delivered, [1], "call 2 still waits for the answer to the client's call 1");
    await order.send({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    assert.deepEqual(delivered, [1, 2]);
  });
});
