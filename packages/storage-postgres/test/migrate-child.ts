// Runs migrate() on a schema; used to run migrations from two processes at once.
import { migrate } from '../src/index.js';

const [url, schema] = process.argv.slice(2) as [string, string];
migrate({ connectionString: url, schema }).then(
  (r) => { process.stdout.write(`${JSON.stringify(r)}\n`); },
  (e) => { process.stderr.write(`${(e as Error).message}\n`); process.exit(1); },
);
