// Show Run Stats and Show Dependency Graph: a run's flow metrics and its dependency graph, each
// in an editor tab of its own (one per run), from the Runs tree's run menu or the palette.
import type { RunboardContext } from '../context';
import type { CommandSpec } from './commandKit';
import { runFromArg } from './prompts';

export function runInsightCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    {
      id: 'runboard.showStats',
      run: async (arg) => {
        const ref = await runFromArg(ctx, arg, 'Show the stats of which run?');
        ctx.statsPanels.show(ref);
        return ref;
      },
    },
    {
      id: 'runboard.showGraph',
      run: async (arg) => {
        const ref = await runFromArg(ctx, arg, 'Show the dependency graph of which run?');
        ctx.graphPanels.show(ref);
        return ref;
      },
    },
  ];
}
