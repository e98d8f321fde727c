import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchProfile, waitForOfflineCopy } from './helpers/browser.mjs';
import { startServer } from './helpers/server.mjs';
const server = await startServer({});
const dir = await mkdtemp(path.join(tmpdir(), 'probe-'));
let context = await launchProfile(dir);
let page = context.pages()[0] ?? (await context.newPage());

await page.goto(server.url + '/'); await waitForOfflineCopy(page); await context.close();
const times = [];
for (let i = 0; i < Number(process.env.N || 3); i++) {
  context = await launchProfile(dir, { offline: true });
  page = context.pages()[0] ?? (await context.newPage());
  
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(server.url + (process.argv[2] || '/'));
  await page.waitForFunction(() => performance.getEntriesByName('islands-hydrated').length > 0, null, { timeout: 10000 });
  times.push(await page.evaluate(() => Math.round(performance.getEntriesByName('islands-hydrated')[0].startTime)));
  if (i === 0) console.log(await page.evaluate(() => { const nav = performance.getEntriesByType('navigation')[0]; return `dcl ${Math.round(nav.domContentLoadedEventEnd)} ` + performance.getEntriesByType('resource').filter(e => /pkg/.test(e.name)).map(e => `${e.name.split('/').pop().slice(0,22)} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`).join(', ') + ' | ' + performance.getEntriesByType('mark').map(e => `${e.name} ${Math.round(e.startTime)}`).join(', '); }));
  await context.close();
}
console.log(process.argv[2], 'islands-hydrated', times.join(' '));
await server.stop();
