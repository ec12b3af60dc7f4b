// Blackboard commands: add a fact, a decision, an open question or an artifact to a run; answer,
// resolve and reopen questions, supersede decisions (closingItemCommands.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import { Cancelled, type CommandSpec } from './commandKit';
import { closingItemCommands } from './closingItemCommands';
import { argField, askText, runFromArg } from './prompts';

type TextOp = 'add_fact' | 'add_decision' | 'add_open_question';

function textItem(ctx: RunboardContext, id: string, op: TextOp, noun: string): CommandSpec {
  return {
    id,
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, `Add a ${noun} to which run?`);
      const text = await askText(arg, 'text', {
        title: `Add ${noun[0].toUpperCase()}${noun.slice(1)}`,
        prompt: `The ${noun}`,
        validateInput: (v) => (v.trim() ? undefined : 'Must not be empty.'),
      });
      const result = await ctx.server.request(Requests.patchBlackboard, {
        root: ref.root,
        run_id: ref.run_id,
        op,
        payload: { text, step_id: argField(arg, 'step_id', 'string') },
      });
      ctx.model.invalidate(ref);
      return result.patch;
    },
  };
}

export function blackboardCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    textItem(ctx, 'runboard.addFact', 'add_fact', 'fact'),
    textItem(ctx, 'runboard.addDecision', 'add_decision', 'decision'),
    textItem(ctx, 'runboard.addQuestion', 'add_open_question', 'open question'),
    ...closingItemCommands(ctx),
    {
      id: 'runboard.addArtifact',
      writes: true,
      run: async (arg) => {
        const ref = await runFromArg(ctx, arg, 'Add an artifact to which run?');
        let artifactPath = argField(arg, 'path', 'string');
        if (artifactPath === undefined) {
          const picked = await vscode.window.showOpenDialog({
            title: 'Add Artifact',
            defaultUri: vscode.Uri.file(ref.root),
            canSelectMany: false,
            openLabel: 'Add as Artifact',
          });
          if (!picked?.[0]) throw new Cancelled();
          artifactPath = picked[0].fsPath;
        }
        // Stored relative to the run's folder when inside it, so the run stays portable.
        const rel = path.isAbsolute(artifactPath) ? path.relative(ref.root, artifactPath) : artifactPath;
        const stored = rel.startsWith('..') || path.isAbsolute(rel) ? artifactPath : rel.split(path.sep).join('/');
        const artifactType =
          argField(arg, 'artifact_type', 'string') ??
          (await askText(undefined, 'artifact_type', {
            prompt: 'Artifact type (e.g. file, report, patch)',
            value: path.extname(stored).slice(1) || 'file',
          }));
        const result = await ctx.server.request(Requests.patchBlackboard, {
          root: ref.root,
          run_id: ref.run_id,
          op: 'add_artifact',
          payload: { path: stored, artifact_type: artifactType || 'file' },
        });
        ctx.model.invalidate(ref);
        return result.patch;
      },
    },
  ];
}
