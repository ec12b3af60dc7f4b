// The file store's atomic and whole writes and its no-follow, regular-file-only reads, for the
// layers above that keep a small file of their own (routing's announcement, .runboard/server.json). Apart from
// boards.ts because it loads nothing else of the file store: the CLI's thin path reads the
// announcement on every call.
export { readJsonIfExists, writeFileAtomic } from './file/atomicFile';
export { readRegularFile } from './file/fileIdentity';
export { writeAll } from './file/writeAll';
