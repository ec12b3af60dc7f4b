// The "Runboard" log channel (with levels), one per window. The server's JSON-RPC trace has
// its own channel (see server/runboardServer.ts) so this one stays readable.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Runboard', { log: true });
  return channel;
}
