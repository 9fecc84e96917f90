import { fileURLToPath } from 'node:url';
import { run } from '@dealflow/cli';

/** Runs the CLI in-process with buffers; cwd = this test folder. */
export async function cli(args: string[], options: { cwd?: string; tty?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true), isTTY: options.tty ?? false },
    cwd: options.cwd ?? fileURLToPath(new URL('.', import.meta.url)),
  });
  return { code, out, err };
}
