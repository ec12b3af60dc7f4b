// dist/server.js: `node dist/server.js --stdio` (or --node-ipc when started by the extension)
// starts the server on load. Required by the CLI instead (`runboard serve`), it starts nothing
// itself: the CLI calls runServer, or serveHeadless for `serve --socket`.
// Lock waits run on threads of their own (store/osLock.ts), so libuv's default pool suffices.
import { runServer } from './rpc/runServer';

export { runServer };
export { serveHeadless } from './rpc/headlessServer';

if (require.main === module) runServer(process.argv.slice(2));
