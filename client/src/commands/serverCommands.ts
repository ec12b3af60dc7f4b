// Server commands: restart, open logs.
import type { RunboardContext } from '../context';
import { log } from '../log';
import type { CommandSpec } from './commandKit';

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
      id: 'runboard.openLogs',
      offline: true,
      run: () => log().show(true),
    },
  ];
}
