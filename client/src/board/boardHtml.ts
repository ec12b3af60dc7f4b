// The task board's HTML shell: strict CSP (default-src 'none'; scripts by nonce only; styles and
// fonts from the webview's own resource origin), codicons and the board script from dist/media.
// No data is ever put into this HTML: the script renders everything as text.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function boardResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'media'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function boardHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('dist', 'media', 'codicon.css')}">
<link rel="stylesheet" href="${asset('media', 'board.css')}">
<title>Task board</title>
</head>
<body>
<div id="app" aria-live="polite"></div>
<script nonce="${nonce}" src="${asset('dist', 'media', 'board.js')}"></script>
</body>
</html>`;
}
