/**
 * `sigprop-examples`: the original sigprop examples (examples.py with ex2_input_target_max_rand.py
 * and ex4_input_target_topk.py) as one command.
 *
 *   npx sigprop-examples ex4 --dataset FashionMNIST --model vgg8 --norm instance_norm --dropout 0.2 --sigprop
 *
 * main(argv) returns the exit status: 0, 1 (an error), 2 (bad flags), 130 (stopped by Ctrl-C).
 * `sigprop-examples serve ...` runs the training service instead (lib/serve/cli.ts).
 * See docs/examples.md.
 */
import { PROG, parseArgs, usage, validateArgs, UsageError } from './args';
import { HumanOutput, JsonOutput, Output } from './progress';
import { RunError, runExample } from './runner';
import { serveMain } from '../serve/cli';

export { parseArgs, validateArgs, usage, UsageError, FLAGS, defaults, toPythonArgs, fromPythonArgs, shellJoin } from './args';
export type { ExampleArgs, ExampleName, FlagSpec, Parsed } from './args';
export { runExample, buildAll, RunError, CHECKPOINT_FILE, CURVES_FILE } from './runner';
export * from './models';
export { curvesSvg } from './plot';
export type { EpochRecord } from './plot';

type Stream = { write(s: string): unknown; isTTY?: boolean; columns?: number };

export interface MainIO {
  stdout?: Stream;
  stderr?: Stream;
}

export async function main(argv: readonly string[], io: MainIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  if (argv[0] === 'serve') return serveMain(argv.slice(1), stdout, stderr); // the training service (lib/serve)
  let parsed;
  try {
    parsed = parseArgs(argv);
    if (parsed.help) {
      stdout.write(usage(parsed.example) + '\n');
      return 0;
    }
    if (parsed.example === null) throw new UsageError('the example is missing: ex2 or ex4');
    if (parsed.args.resume === '') validateArgs(parsed.args, parsed.example);
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`usage: ${PROG} {ex2,ex4} [--flag value ...]   (${PROG} --help lists the flags)\n${PROG}: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const out: Output = parsed.args.json ? new JsonOutput(stdout) : new HumanOutput(stdout, stderr, parsed.args.progress);
  try {
    return await runExample({ example: parsed.example, args: parsed.args, given: parsed.given, argv: [PROG, ...argv], out });
  } catch (e) {
    out.close();
    if (e instanceof UsageError) {
      stderr.write(`usage: ${PROG} {ex2,ex4} [--flag value ...]   (${PROG} --help lists the flags)\n${PROG}: error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RunError) {
      stderr.write(`${PROG}: error: ${e.message}\n`);
      return 1;
    }
    stderr.write(`${PROG}: error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

/** The launcher's entry point (bin/sigprop-examples.js): runs main and sets the exit status. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`${PROG}: error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
