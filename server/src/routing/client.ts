// Routing, the client's side (PROTOCOL.md §Routing): every call of a CLI or MCP process goes to the
// server that serves its root's socket when one answers, and is done directly through the store
// otherwise — correctness never depends on routing. No announcement, one for another root or
// version, an untrusted socket, a refused or slow connect: direct, silently (a note with
// RUNBOARD_DEBUG). A call whose connection closes before its answer is done again directly with
// the same params (routedCall.ts makes that safe). RUNBOARD_ROUTE=0 turns routing off.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoreResults } from '../../../contract/results';
import type { InputOf, StoreMethod } from '../../../contract/schemas/params';
import type { Durability } from '../../../contract/limits';
import { version } from '../../../package.json';
import { readAnnouncement } from './announcement';
import { HELLO_METHOD } from '../../../contract/routingHello';
import { endpointFor, helloProof, rootKey, untrustedSocket } from './endpoint';
import { randomUuid } from './randomUuid';
import { currentHost, currentUid } from './host';
import { RoutedCall, routedCall } from './routedCall';
import { errorFromServer } from './serverErrors';
import { ConnectionLost, RpcAnswer, RpcSocket } from './rpcSocket';
import { socketFacts } from './socketFolder';

/** How long a client waits for its connection to the server before it does the call directly. */
export const CONNECT_TIMEOUT_MS = 300;
/**
 * How long a client waits for an answer before it gives the server up (a stopped or hung server)
 * and does the call directly — safe for the same reason as after a lost connection: the stamped
 * command_id. Long enough for any one call (a replay of a million events takes seconds).
 */
export const ANSWER_TIMEOUT_MS = 60_000;
/** How long a client waits for a server to prove itself (runboard/hello) before it does the call directly. */
export const HELLO_TIMEOUT_MS = 5_000;

/** What the CLI and MCP call: RunService.execute, directly or through a server. */
export interface MethodCaller {
  execute<M extends StoreMethod>(method: M, params: InputOf<M>): Promise<StoreResults[M]>;
}

export interface RouteOptions {
  /** The caller's root (its real path is what the announcement must name). */
  root: string;
  /** What the caller asked: a client that wants fsync does not route to a server that does not sync. */
  durability: Durability;
  env?: NodeJS.ProcessEnv;
  /**
   * After a failed or lost connection, calls go direct for this long before the next attempt (a
   * long-lived client, MCP); default: for the rest of this caller's life (a CLI call).
   */
  retryConnectAfterMs?: number;
  /** Debug notes (RUNBOARD_DEBUG): why a call was routed or not. */
  note?: (line: string) => void;
  /** Whether a method takes a command_id: params.ts's `takesCommandId` (injected: the CLI's thin path loads no schemas). */
  takesCommandId: (method: StoreMethod) => boolean;
  /**
   * Handed over by a caller that could not route (the CLI's thin path, cli/handOff.ts): this one
   * goes direct without trying again, and the first call that takes a command_id is stamped with
   * the id the call was already sent with, so that doing it again is safe.
   */
  handedOver?: { commandId?: string };
  /**
   * Whether the server must prove it knows the announcement's secret before a call is sent
   * (runboard/hello): on Windows, whose pipes have no owner to look at; default there only.
   */
  proveServer?: boolean;
}

export class RoutedCaller implements MethodCaller {
  private socket: RpcSocket | undefined;
  /** A connection being opened (and, on Windows, its server proving itself): calls meanwhile wait for it. */
  private opening: Promise<RpcSocket | undefined> | undefined;
  private nextAttempt = 0;
  private readonly env: NodeJS.ProcessEnv;
  private readonly answerTimeoutMs: number;
  private handedOff: string | undefined;

  constructor(
    private readonly o: RouteOptions,
    /** The store, opened on first use: only calls that go direct open it. */
    private readonly direct: () => MethodCaller,
  ) {
    this.env = o.env ?? process.env;
    this.handedOff = o.handedOver?.commandId;
    if (o.handedOver) this.nextAttempt = Infinity;
    // RUNBOARD_ROUTE_TIMEOUT_MS: another wait for answers (tests; a very slow disk).
    const fromEnv = Number(this.env.RUNBOARD_ROUTE_TIMEOUT_MS);
    this.answerTimeoutMs = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : ANSWER_TIMEOUT_MS;
  }

  async execute<M extends StoreMethod>(method: M, params: InputOf<M>): Promise<StoreResults[M]> {
    const socket = await this.connection();
    const handedOff = this.takeHandedOff(method);
    if (!socket && handedOff === undefined) {
      this.o.note?.(`${method}: direct`);
      return this.direct().execute(method, params);
    }
    const call = routedCall(method, params, this.o.takesCommandId(method), handedOff !== undefined ? () => handedOff : undefined);
    if (!socket) return call.unstamp(await this.again<M>(call));
    let answer: RpcAnswer;
    // A server that does not answer in time is given up like one that went away.
    const timeoutMs = this.answerTimeoutMs;
    const timer = setTimeout(() => socket.close(`no answer within ${timeoutMs} ms`), timeoutMs);
    try {
      answer = await socket.request(`runboard/${method}`, call.params);
    } catch (e) {
      if (!(e instanceof ConnectionLost)) throw e;
      this.giveUp(`${method}: ${e.why}; doing it directly`);
      // Never sent (the connect failed): done directly as if it had not been routed at all.
      if (!e.mayHaveArrived && handedOff === undefined) return this.direct().execute(method, params);
      return call.unstamp(await this.again<M>(call));
    } finally {
      clearTimeout(timer);
    }
    this.o.note?.(`${method}: routed`);
    if ('error' in answer) throw errorFromServer(answer.error, `runboard/${method}`);
    return call.unstamp(answer.result as StoreResults[M]);
  }

  /** The handed-off command_id, for the first call that takes one. */
  private takeHandedOff(method: StoreMethod): string | undefined {
    const id = this.handedOff;
    if (id === undefined || !this.o.takesCommandId(method)) return undefined;
    this.handedOff = undefined;
    return id;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /** The call again, directly, with the params it was sent with (its command_id makes it a repeat if the server did it). */
  private async again<M extends StoreMethod>(call: RoutedCall): Promise<StoreResults[M]> {
    return this.direct().execute(call.method as M, call.params as InputOf<M>);
  }

  private giveUp(why: string): void {
    this.o.note?.(why);
    this.close();
    this.nextAttempt = Date.now() + (this.o.retryConnectAfterMs ?? Infinity);
  }

  /**
   * The open connection, or a new one to the endpoint the announcement names; undefined when the
   * call goes direct. A connection that then fails (refused, a server gone) fails its first call
   * with ConnectionLost, which does it directly with the same command_id.
   */
  private connection(): Promise<RpcSocket | undefined> | RpcSocket | undefined {
    if (this.socket?.alive) return this.socket;
    if (this.opening) return this.opening;
    this.socket = undefined;
    if (this.env.RUNBOARD_ROUTE === '0' || Date.now() < this.nextAttempt) return undefined;
    const found = this.endpoint();
    if ('problem' in found) {
      this.giveUp(`direct: ${found.problem}`);
      return undefined;
    }
    const socket = RpcSocket.open(found.endpoint, CONNECT_TIMEOUT_MS);
    if (!(this.o.proveServer ?? process.platform === 'win32')) return (this.socket = socket);
    this.opening = this.proven(socket, found.endpoint, found.secret).finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** `socket`, once its server proved it knows the announcement's secret; else undefined (closed: calls go direct). */
  private async proven(socket: RpcSocket, endpoint: string, secret: string): Promise<RpcSocket | undefined> {
    const nonce = randomUuid();
    const timer = setTimeout(() => socket.close(`no proof within ${HELLO_TIMEOUT_MS} ms`), HELLO_TIMEOUT_MS);
    let why: string | undefined;
    try {
      const answer = await socket.request(HELLO_METHOD, { nonce });
      const proof = 'result' in answer ? (answer.result as { proof?: unknown } | null)?.proof : undefined;
      if (proof !== helloProof(secret, nonce)) why = `${endpoint} did not prove it is the announced server`;
    } catch (e) {
      why = e instanceof ConnectionLost ? e.why : String(e);
    } finally {
      clearTimeout(timer);
    }
    if (why === undefined) return (this.socket = socket);
    socket.close();
    this.giveUp(`direct: ${why}`);
    return undefined;
  }

  /** The endpoint the root's announcement names, and its secret, when this client may use it. */
  private endpoint(): { endpoint: string; secret: string } | { problem: string } {
    let realRoot: string;
    try {
      realRoot = fs.realpathSync.native(this.o.root);
    } catch {
      return { problem: `${this.o.root} does not exist` };
    }
    const read = readAnnouncement(realRoot);
    if ('problem' in read) return read;
    const a = read.announcement;
    if (a.root !== realRoot) return { problem: `the announcement is of ${a.root}` };
    if (a.version !== version) return { problem: `the server is Runboard ${a.version}, this is ${version}` };
    if (this.o.durability === 'fsync' && a.durability !== 'fsync')
      return { problem: `the server does not fsync (durability ${a.durability})` };
    if (process.platform === 'win32') {
      return a.endpoint === endpointFor(realRoot, currentHost(this.env))
        ? { endpoint: a.endpoint, secret: a.secret }
        : { problem: `not this root's pipe: ${a.endpoint}` };
    }
    if (path.basename(a.endpoint) !== `${rootKey(realRoot)}.sock`) return { problem: `not this root's socket: ${a.endpoint}` };
    const facts = socketFacts(a.endpoint);
    if (!facts) return { problem: `no socket at ${a.endpoint}` };
    const untrusted = untrustedSocket(facts, currentUid());
    return untrusted ? { problem: `${a.endpoint} is not trusted: ${untrusted}` } : { endpoint: a.endpoint, secret: a.secret };
  }
}

/** With RUNBOARD_DEBUG set, where each call went (routed, or direct and why), on stderr (or what `write` writes to). */
export function debugNotes(
  env: NodeJS.ProcessEnv,
  write: (text: string) => unknown = (text) => process.stderr.write(text),
): ((line: string) => void) | undefined {
  return env.RUNBOARD_DEBUG ? (line) => void write(`runboard: route: ${line}\n`) : undefined;
}
