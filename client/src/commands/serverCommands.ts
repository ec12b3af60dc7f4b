// Server commands: restart, open logs, a database board's password; resolving an attention item.
import * as vscode from 'vscode';
import type { RunboardContext } from '../context';
import { log } from '../log';
import { workspaceBoards } from '../server/boardPasswords';
import { resolveAttention } from '../attention/attentionActions';
import type { AttentionItem } from '../../../contract/attention';
import { Cancelled, type CommandSpec } from './commandKit';
import { askText, argField } from './prompts';

export function serverCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    {
      id: 'runboard.restartServer',
      offline: true,
      run: async () => {
        await ctx.server.restart();
        return ctx.server.state;
      },
    },
    {
      // An attention item's action (the Runs tree's Attention node, clicked or its inline button).
      id: 'runboard.resolveAttention',
      run: (arg) => resolveAttention(arg as AttentionItem),
    },
    {
      id: 'runboard.openLogs',
      offline: true,
      run: () => log().show(true),
    },
    {
      // Kept in the editor's secret storage and handed to the server it starts; the server restarts to use it.
      id: 'runboard.setBoardPassword',
      offline: true,
      writes: true,
      run: async (arg) => {
        const boards = await workspaceBoards();
        if (boards.length === 0) {
          ctx.notify('info', 'No folder of this workspace keeps its board in a database (.runboard/board.json).');
          return undefined;
        }
        const board = argField(arg, 'board', 'string') ?? (boards.length === 1 ? boards[0] : await pickBoard(boards));
        const password = await askText(arg, 'password', {
          title: `Password of the board ${board}`,
          prompt: 'Kept in the editor’s secret storage; leave empty to forget it.',
          password: true,
        });
        await ctx.boardPasswords.set(board, password);
        await ctx.server.restart();
        return board;
      },
    },
  ];
}

async function pickBoard(boards: string[]): Promise<string> {
  const picked = await vscode.window.showQuickPick(boards, { placeHolder: 'The password of which board?' });
  if (picked === undefined) throw new Cancelled();
  return picked;
}
