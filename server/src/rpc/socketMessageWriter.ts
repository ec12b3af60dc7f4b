// The writer of a root's socket connections: each message in one write of one buffer. The
// library's stream writer writes the header and the body apart and waits for the first before the
// second — two system calls and a turn of the event loop per answer, a fifth of a busy server's
// time in bench row 7d (BENCHMARKS.md).
import type * as net from 'node:net';
import { AbstractMessageWriter, Message, MessageWriter } from 'vscode-languageserver/node';
import { framed } from '../routing/rpcSocket';

export class SocketMessageWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly socket: net.Socket) {
    super();
    socket.on('error', (e) => this.fireError(e));
    socket.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(framed(msg), (e) => {
        if (!e) return resolve();
        this.fireError(e, msg);
        reject(e);
      });
    });
  }

  end(): void {
    this.socket.end();
  }
}
