// The store interface's conformance suite (boardConformance.ts) on the file store, and on an
// in-memory store that shares no code with it (memoryBoard.ts), which proves nothing above the
// interface depends on files.
import { boardOpener } from '../../../server/src/store/boards';
import { describeBoardStore } from './boardConformance';
import { MemoryBoard } from './memoryBoard';

describeBoardStore({ name: 'file', opener: () => boardOpener() });
describeBoardStore({ name: 'memory', opener: () => (root, site) => new MemoryBoard(root, site) });
