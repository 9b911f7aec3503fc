// `cargo xtask bench peers`, graphile-worker's side: one workload at one setting, printed as
// one JSON line — {"items_per_s", "p50_ms", "p99_ms", "items"} — for the Rust benchmark to
// put in its table beside opsux's own figures.
//
//   node graphile-worker.mjs --modules DIR --database URL --workload backlog|lifecycle
//        --settings defaults|tuned [--count N] [--producers N]
//
// DIR is the node_modules folder graphile-worker was installed into (a pinned version, by
// xtask); URL a fresh, empty database (graphile-worker migrates it itself).
//
// "Finished" means committed: the job's row deleted. graphile-worker completes jobs in
// batches after the task returns, so the task's return (and its `job:complete` event) comes
// too early; instead every pool client's completion statement is watched, and a job counts
// as finished when the statement deleting it has returned (an autocommit statement, so its
// commit has returned too). Watching costs nothing the database sees.

import { parseArgs } from "node:util";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const { values: args } = parseArgs({
  options: {
    modules: { type: "string" },
    database: { type: "string" },
    workload: { type: "string" },
    settings: { type: "string" },
    count: { type: "string", default: "20000" },
    producers: { type: "string", default: "8" },
  },
});
for (const name of ["modules", "database", "workload", "settings"]) {
  if (!args[name]) throw new Error(`--${name} is required`);
}
const load = (name, file) => import(pathToFileURL(join(args.modules, name, file)).href);
const { run, makeWorkerUtils, Logger } = await load("graphile-worker", "dist/index.js");
const { default: pg } = await load("pg", "lib/index.js");

const count = Number(args.count);
const producers = Number(args.producers);

// The settings compared. `defaults`: what `run()` does unconfigured. `tuned`: the best found
// on a 2-core machine — more concurrent jobs, a local queue that locks a batch of jobs per
// fetch, completions batched in the same tick, Node's clock (no `now()` round trip).
const SETTINGS = {
  defaults: { concurrency: 1, maxPoolSize: 10, worker: {} },
  tuned: {
    concurrency: args.workload === "backlog" ? 32 : 24,
    maxPoolSize: 34,
    worker: {
      localQueue: { size: args.workload === "backlog" ? 500 : 25 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
      useNodeTime: true,
    },
  },
};
const chosen = process.env.GW_SETTINGS ? JSON.parse(process.env.GW_SETTINGS) : SETTINGS[args.settings];
if (!chosen) throw new Error(`unknown --settings ${args.settings}`);

// Completion watching: resolve `finished[id]` once the statement deleting job `id` returned.
const waiting = new Map();
// Jobs finished before their producer started waiting (cannot happen in practice: the
// producer waits in the same tick its insert returns; kept so a miss cannot hang the run).
const early = new Map();
let committed = 0;
let lastCommitAt = 0;
let onCommitted = () => {};
const pool = new pg.Pool({ connectionString: args.database, max: chosen.maxPoolSize });
// An idle client's error (the server restarting) would otherwise end the process unreported.
pool.on("error", (err) => console.error(`graphile-worker's pool: ${err.message}`));
pool.on("connect", (client) => {
  const query = client.query.bind(client);
  client.query = (config, ...rest) => {
    const result = query(config, ...rest);
    const name = typeof config === "object" ? (config.name ?? "") : "";
    const text = typeof config === "object" ? (config.text ?? "") : String(config);
    const completes = name.startsWith("complete_job") || /^delete from .*_private_jobs/i.test(text);
    if (completes && result && typeof result.then === "function") {
      const values = config.values ?? [];
      const ids = Array.isArray(values[0]) ? values[0] : [values[0]];
      result.then(() => {
        const now = performance.now();
        for (const id of ids) {
          committed += 1;
          lastCommitAt = now;
          const done = waiting.get(String(id));
          if (done) {
            waiting.delete(String(id));
            done(now);
          } else {
            early.set(String(id), now);
          }
        }
        onCommitted();
      });
    }
    return result;
  };
});

const logger = quietLogger();
const utils = await makeWorkerUtils({ pgPool: pool, logger });
await utils.migrate();

let firstClaimAt = null;
const taskList = {
  noop: async () => {
    firstClaimAt ??= performance.now();
  },
};

const runnerOptions = {
  pgPool: pool,
  logger,
  concurrency: chosen.concurrency,
  noHandleSignals: true,
  pollInterval: 2000,
  taskList,
  preset: { worker: chosen.worker },
};

let result;
if (args.workload === "backlog") {
  // Queue `count` jobs first (not measured), in batches of 1,000.
  for (let start = 0; start < count; start += 1000) {
    const specs = [];
    for (let n = start; n < Math.min(count, start + 1000); n++) {
      specs.push({ identifier: "noop", payload: { n } });
    }
    await utils.addJobs(specs);
  }
  const allDone = new Promise((resolve) => {
    onCommitted = () => committed >= count && resolve();
  });
  const runner = await run(runnerOptions);
  await allDone;
  const seconds = (lastCommitAt - firstClaimAt) / 1000;
  await runner.stop();
  result = { items: count, items_per_s: count / seconds, p50_ms: null, p99_ms: null };
} else if (args.workload === "lifecycle") {
  const runner = await run(runnerOptions);
  const perProducer = Math.ceil(count / producers);
  const latencies = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async (_, p) => {
      for (let n = 0; n < perProducer; n++) {
        const started = performance.now();
        const job = await utils.addJob("noop", { p, n });
        const id = String(job.id);
        const ended = early.has(id)
          ? early.get(id)
          : await new Promise((resolve) => waiting.set(id, resolve));
        early.delete(id);
        latencies.push(ended - started);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await runner.stop();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  result = {
    items: latencies.length,
    items_per_s: latencies.length / seconds,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
  };
} else {
  throw new Error(`unknown --workload ${args.workload}`);
}
await utils.release();
await pool.end();
console.log(JSON.stringify(result));

function quietLogger() {
  // Only errors: anything else would mix with the JSON line.
  return new Logger(() => (level, message) => {
    if (level === "error") console.error(message);
  });
}
