// Prints how long a new report takes from the server's 201 answer to the incident mailbox:
// through a real SMTP server on loopback (Debian's python3-aiosmtpd), and to the embedded default
// (a file in the Maildir), beside the baseline of the 201 itself, all in the same run.
// Run with ./scripts/bench-forwarding.sh (it builds first). RUNS=n changes the number of reports.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { waitUntil } from '../helpers/browser.mjs';
import { UNLIMITED, smtpFlags, startSmtpSink } from '../helpers/mail.mjs';
import { startServer } from '../helpers/server.mjs';
import { postReport } from '../helpers/report.mjs';

const RUNS = Number(process.env.RUNS || 100);

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(10);

/** Sends RUNS new reports one after another; returns each id with when its 201 arrived. */
async function send(url) {
  const sent = [];
  for (let run = 0; run < RUNS; run++) {
    const id = crypto.randomUUID();
    const started = Date.now();
    const answer = await postReport(url, id);
    const answered = Date.now();
    if (answer.status !== 201) throw new Error(`report ${run}: ${answer.status} ${await answer.text()}`);
    sent.push({ id, answered, intake: answered - started });
  }
  return sent;
}

const sink = await startSmtpSink();
const viaSmtp = await startServer({ args: [...smtpFlags(sink), '--mail-from', 'lost-device@bench.test', ...UNLIMITED] });
const viaMaildir = await startServer({ args: UNLIMITED });
try {
  const smtpSent = await send(viaSmtp.url);
  const arrivals = await waitUntil(async () => {
    const lines = await sink.arrivals();
    return lines.length >= RUNS && lines;
  }, 'every report reached the SMTP server', 60_000);
  const arrivedAt = new Map(arrivals.map((line) => {
    const [when, messageId] = line.split(' ');
    return [messageId.replace(/^<|@.*$/g, ''), Number(when)];
  }));
  const smtp = smtpSent.map(({ id, answered }) => arrivedAt.get(id) - answered);

  const mailSent = await send(viaMaildir.url);
  const newDir = path.join(viaMaildir.dataDir, 'mail', 'new');
  await waitUntil(async () => (await readdir(newDir).catch(() => [])).length >= RUNS, 'every report is in the Maildir', 60_000);
  const files = await readdir(newDir);
  const maildir = await Promise.all(mailSent.map(async ({ id, answered }) => {
    const file = files.find((name) => name.includes(id));
    return (await stat(path.join(newDir, file))).mtimeMs - answered;
  }));
  const intake = [...smtpSent, ...mailSent].map((s) => s.intake);

  console.log(`Forwarding, ${RUNS} new reports per destination, one after another, loopback:`);
  console.log('                                              median        p99');
  console.log(`baseline: request to the 201 answer        ${ms(quantile(intake, 0.5))} ${ms(quantile(intake, 0.99))}`);
  console.log(`201 answer to the file in the Maildir      ${ms(quantile(maildir, 0.5))} ${ms(quantile(maildir, 0.99))}`);
  console.log(`201 answer to acceptance by the SMTP server${ms(quantile(smtp, 0.5))} ${ms(quantile(smtp, 0.99))}`);
} finally {
  await viaSmtp.stop();
  await viaMaildir.stop();
  await sink.stop();
}
