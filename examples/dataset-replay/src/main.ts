import { pathToFileURL } from 'node:url';
import { replayDataset } from './replay.js';
import { renderReports } from './report.js';

/** Replays the dataset through the engine and prints the reports and the backtest. */
export async function main(options: { limit?: number; log?: (s: string) => void } = {}): Promise<{ deals: number; rejected: number; text: string }> {
  const log = options.log ?? ((s: string) => process.stdout.write(s));
  const started = Date.now();
  const replay = await replayDataset(options.limit !== undefined ? { limit: options.limit } : {});
  try {
    log(`Replayed ${replay.records.length} opportunities (${replay.history.length} history events, ${replay.rejected} rejected) through the engine in ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`);
    const text = renderReports(replay);
    log(text);
    return { deals: replay.records.length, rejected: replay.rejected, text };
  } finally {
    await replay.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = process.argv.find((a) => a.startsWith('--limit='));
  await main(arg ? { limit: Number(arg.slice(8)) } : {});
}
