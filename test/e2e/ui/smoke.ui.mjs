// @ts-check
// Smoke: the workbench loads the extension from the repo, the palette lists its commands
// (category "Runboard"), its view container is in the activity bar, and the Runs view offers
// "Create Run" once the Runboard server runs in the extension host (on the workbench's own
// runtime, Node 24, with the lock binary the build copied for linux-x64).
import assert from 'node:assert/strict';

export const title = 'Runboard shows up in the workbench';

export async function run({ wb, shot, log }) {
  const labels = await wb.findCommands('Runboard:', { timeout: 90_000 });
  assert.ok(labels.some((l) => l.startsWith('Runboard:')), `no "Runboard:" command in the palette: ${JSON.stringify(labels)}`);
  log(`palette lists ${labels.length} Runboard commands`);
  await shot('palette');
  await wb.page.keyboard.press('Escape');

  await wb.openViewContainer('Runboard');
  const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
  log('Runboard view container open, Runs view has its provider');
  await runs.getByRole('region', { name: 'Welcome' }).getByRole('button', { name: 'Create Run' }).waitFor({ timeout: 90_000 });
  log('server running: the Runs view offers Create Run');
  await shot('view');
}
