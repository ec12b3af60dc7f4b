// dist/server.js: `node dist/server.js --stdio` (or --node-ipc when started by the extension).
import { runServer } from './server/runServer';

// A contended run lock waits in flock on a libuv worker thread; with many runs busy at once the
// default pool of 4 would leave no thread for other async I/O. The pool starts on first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

runServer(process.argv.slice(2));
