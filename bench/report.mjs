// bench/run.sh's tables: per scenario, every timed round of every worker, KeyBox's throughput
// ratio to each other worker per round and its median, then each worker's totals and the
// issue-12 goals. Usage: node bench/report.mjs RESULTS_TSV CLK_TCK GOAL
// RESULTS_TSV lines: scenario worker round requests duration_us p50_us p99_us wrong
// workerd_ticks node_ticks (CPU ticks of the worker's processes during the round).
import { readFileSync } from "node:fs";

const [file, hz, goal] = process.argv.slice(2);
const GOAL = Number(goal);
const P99_SLACK = 1.1; // p99 no worse than the floor's by more than 10 %
const CPU_SLACK_MS = 0.2; // workerd CPU per request within 0.2 ms of the floor's
const rows = readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => {
  const [scenario, worker, round, ...n] = line.split("\t");
  const [requests, duration, p50, p99, wrong, wticks, nticks] = n.map(Number);
  return { scenario, worker, round: Number(round), requests, duration, p50, p99, wrong, wticks, nticks,
    rate: requests / (duration / 1e6) };
});
const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const msPerRequest = (ticks, requests) => (ticks * 1000) / Number(hz) / (requests || 1);
const verdict = (ok) => (ok ? "met" : "NOT met");
const pad = (v, n) => String(v).padStart(n);

for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
  const mine = rows.filter((r) => r.scenario === scenario);
  const workers = [...new Set(mine.map((r) => r.worker))];
  const [keybox, ...others] = workers; // run.sh lists KeyBox first
  console.log(`\n== ${scenario}: ${workers.join(" vs ")}`);
  console.log(`${"round".padEnd(6)}${"worker".padEnd(14)}${pad("req/s", 9)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}` +
    `${pad("wrong", 7)}${pad("workerd ms/req", 16)}${pad("node ms/req", 13)}`);
  for (const r of [...mine].sort((a, b) => a.round - b.round || workers.indexOf(a.worker) - workers.indexOf(b.worker))) {
    console.log(`${String(r.round).padEnd(6)}${r.worker.padEnd(14)}${pad(r.rate.toFixed(1), 9)}` +
      `${pad((r.p50 / 1e3).toFixed(2), 9)}${pad((r.p99 / 1e3).toFixed(2), 9)}${pad(r.wrong, 7)}` +
      `${pad(msPerRequest(r.wticks, r.requests).toFixed(3), 16)}${pad(msPerRequest(r.nticks, r.requests).toFixed(3), 13)}`);
  }
  const stats = {};
  for (const w of workers) {
    const runs = mine.filter((r) => r.worker === w);
    const requests = runs.reduce((s, r) => s + r.requests, 0);
    stats[w] = {
      rate: requests / (runs.reduce((s, r) => s + r.duration, 0) / 1e6),
      p50: median(runs.map((r) => r.p50)) / 1e3,
      p99: median(runs.map((r) => r.p99)) / 1e3,
      cpu: msPerRequest(runs.reduce((s, r) => s + r.wticks, 0), requests),
      node: msPerRequest(runs.reduce((s, r) => s + r.nticks, 0), requests),
      byRound: new Map(runs.map((r) => [r.round, r.rate])),
    };
  }
  console.log(`${"totals".padEnd(20)}${pad("req/s", 9)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}` +
    `${pad("workerd ms/req", 23)}${pad("node ms/req", 13)}   (p50, p99: median of the rounds)`);
  for (const w of workers) {
    const s = stats[w];
    console.log(`${w.padEnd(20)}${pad(s.rate.toFixed(1), 9)}${pad(s.p50.toFixed(2), 9)}${pad(s.p99.toFixed(2), 9)}` +
      `${pad(s.cpu.toFixed(3), 23)}${pad(s.node.toFixed(3), 13)}`);
  }
  for (const other of others) {
    const ratios = [...stats[keybox].byRound].map(([round, rate]) => rate / stats[other].byRound.get(round));
    const m = median(ratios);
    // Create against the plain-JS worker: at least its throughput (issue 12, goal 2). Validate
    // against it is a reference (no goal): what the same work costs written in JS.
    const reference = other === "plain-js" && scenario.startsWith("validate");
    const target = other === "plain-js" ? 1 : GOAL;
    console.log(`${keybox}/${other} throughput ratio per round: ${ratios.map((r) => r.toFixed(3)).join(" ")}` +
      `; median ${m.toFixed(3)}` +
      (reference ? " (reference, no goal)" : ` (goal >= ${target}: ${verdict(m >= target)})`));
    const p99 = stats[keybox].p99 / stats[other].p99;
    const cpu = stats[keybox].cpu - stats[other].cpu;
    const goals = scenario.startsWith("validate") && !reference;
    console.log(`${keybox}/${other} p99: ${stats[keybox].p99.toFixed(2)} vs ${stats[other].p99.toFixed(2)} ms ` +
      `(${((p99 - 1) * 100).toFixed(1)} %${goals ? `; goal <= +10 %: ${verdict(p99 <= P99_SLACK)}` : ""}); ` +
      `workerd CPU ${cpu >= 0 ? "+" : ""}${cpu.toFixed(3)} ms/req` +
      `${goals ? ` (goal <= +${CPU_SLACK_MS}: ${verdict(cpu <= CPU_SLACK_MS)})` : ""}`);
  }
}
