// serve: the Runboard server in this process (the same code as dist/server.js). The connection
// reads --stdio / --node-ipc from the process arguments, as vscode-languageserver does.
import { runServer } from '../../server/runServer';
import { Invocation } from '../invocation';
import { UsageError } from '../usageError';

export async function serve({ session, opts }: Invocation): Promise<void> {
  if (opts.stdio !== true && opts.nodeIpc !== true) throw new UsageError('Say how to talk: runboard serve --stdio (or --node-ipc).');
  runServer([opts.stdio === true ? '--stdio' : '--node-ipc', '--durability', session.durability]);
}
