// The CreateUser ceiling: argon2id hashing alone, in a process of its own
// (as the users service hashes in its own), on libuv's thread pool of the
// same size (the same environment), at the benchmark's concurrency. Prints
// `start` and `end` around the measured window (the parent meters the CPU
// between them), then the result as one JSON line. Run by argon2-ceiling.ts.
import { hash, type Algorithm } from '@node-rs/argon2';
import { closedLoop } from './load';

/**
 * The users service's parameters (apps/users/src/credentials/password-hasher.ts:
 * OWASP's first option, m = 19 MiB, t = 2, p = 1); argon2-ceiling.spec.ts
 * fails when they part. `Algorithm` is a const enum, hence the literal 2 (argon2id).
 */
export const ARGON2ID_OPTIONS = {
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

if (require.main === module) {
  const [concurrency, seconds] = process.argv.slice(2).map(Number);
  closedLoop({
    concurrency,
    seconds,
    call: async (worker, n) => void (await hash(`bench password ${worker} ${n}`, ARGON2ID_OPTIONS)),
    onMeasureStart: () => process.stdout.write('start\n'),
    onMeasureEnd: () => process.stdout.write('end\n'),
  }).then(
    (result) => {
      // The latencies stay here: the ceiling is a rate.
      process.stdout.write(`${JSON.stringify({ ...result, latenciesMs: [] })}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
