/** `sigprop-examples serve`: the training service from the command line (the service's flags, then any flags of the examples). */
import { parseArgs, UsageError, type ExampleArgs, type ExampleName } from '../examples/args';
import { startService, type ServiceOptions } from './service';

export const SERVE_USAGE = `usage: sigprop-examples serve [ex2|ex4] [--port N] [--host H] [--snapshot FILE] [--resume-snapshot]
                             [--train-on worker|main] [--loader-workers N] [--max-body BYTES] [example flags ...]
  Trains a sigprop model on Fashion-MNIST in a worker thread and serves, on http://H:N/ :
    GET /  (live curves), GET /status, POST /predict (28x28 image: JSON array or 784 raw bytes),
    POST /pause, /resume, /snapshot (atomic checkpoint to --snapshot), /restart (after a failure, from the snapshot)
  --port N            port to listen on (default 8080; 0: one the OS picks)
  --host H            address to listen on (default 127.0.0.1)
  --snapshot FILE     the snapshot file (default sigprop-serve/snapshot.pt)
  --resume-snapshot   start from the snapshot file when it exists
  --train-on W        worker (default) or main (trains on the server's thread: for comparison only)
  --loader-workers N  DataLoader worker threads of the trainer (default 0)
  --max-body BYTES    largest request body (default 65536)
  example flags       as sigprop-examples ex4 --help; the service's defaults: --dataset FashionMNIST --model mlp
                      --num-hidden 256 --signal-ch 2 --batch-size 64 --lr 2e-3 --sigprop --epochs 20 --norm instance_norm`;

type Stream = { write(s: string): unknown };

function intFlag(v: string | undefined, flag: string, min: number): number {
  if (v === undefined) throw new UsageError(`argument ${flag}: expected one argument`);
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`argument ${flag}: expected an integer >= ${min}, got '${v}'`);
  return Number(v);
}

/** Parses the command line: the service's options, the port and host. */
export function parseServeArgs(argv: readonly string[]): { options: ServiceOptions; port: number; host: string; help: boolean } {
  let example: ExampleName = 'ex4';
  const rest: string[] = [];
  const options: ServiceOptions = {};
  let port = 8080, host = '127.0.0.1', help = false;
  let i = 0;
  if (argv[0] === 'ex2' || argv[0] === 'ex4') example = argv[i++] as ExampleName;
  for (; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '-h': case '--help': help = true; break;
      case '--port': port = intFlag(value(), flag, 0); break;
      case '--host': {
        const v = value();
        if (!v) throw new UsageError('argument --host: expected an address');
        host = v;
        break;
      }
      case '--snapshot': {
        const v = value();
        if (!v) throw new UsageError('argument --snapshot: expected a file path');
        options.snapshotPath = v;
        break;
      }
      case '--resume-snapshot': options.resume = true; break;
      case '--train-on': {
        const v = value();
        if (v !== 'worker' && v !== 'main') throw new UsageError(`argument --train-on: expected worker or main, got '${v ?? ''}'`);
        options.trainOn = v;
        break;
      }
      case '--loader-workers': options.loaderWorkers = intFlag(value(), flag, 0); break;
      case '--max-body': options.maxBodyBytes = intFlag(value(), flag, 1); break;
      default: rest.push(argv[i]);
    }
  }
  if (port > 65535) throw new UsageError(`argument --port: expected a port number (0 to 65535), got ${port}`);
  const parsed = parseArgs([example, ...rest]);
  const given: Partial<ExampleArgs> = {};
  for (const k of parsed.given) (given as Record<string, unknown>)[k] = parsed.args[k];
  options.example = example;
  options.args = given;
  return { options, port, host, help };
}

/** Runs the service until SIGINT / SIGTERM; returns the exit status (2: bad flags). */
export async function serveMain(argv: readonly string[], stdout: Stream = process.stdout, stderr: Stream = process.stderr): Promise<number> {
  let p;
  try {
    p = parseServeArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`${SERVE_USAGE}\nsigprop-examples serve: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (p.help) {
    stdout.write(SERVE_USAGE + '\n');
    return 0;
  }
  let started;
  try {
    started = await startService(p.options, p.port, p.host);
  } catch (e) {
    stderr.write(`sigprop-examples serve: error: ${(e as Error).message}\n`);
    return (e as Error).name === 'TypeError' ? 2 : 1;
  }
  const { service, url } = started;
  stdout.write(`sigprop training service on ${url}/ (trainer in ${service.trainOn === 'worker' ? 'a Worker' : 'the main thread'}; snapshots to ${service.snapshotPath}); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  stdout.write('stopping: the trainer ends after its current step\n');
  await service.close();
  return 0;
}
