// Cold start of a worker just launched under `wrangler dev` (bench/run.sh): polls PORT until it
// accepts a TCP connection ("ready"), then sends GET PATH and times the first HTTP answer.
// Prints `accept_ms=… first_answer_ms=… status=…`: accept_ms from this script's start (run.sh
// starts it right after launching wrangler), first_answer_ms from "ready" to the answer.
// Gives up (exit 1) when the process WATCH_PID (wrangler) exits first, or after TIMEOUT_SECONDS.
// Usage: node bench/cold-start.mjs PORT PATH [TIMEOUT_SECONDS] [WATCH_PID]
import net from "node:net";

const [port, path = "/", timeout = "1200", watch] = process.argv.slice(2);
const start = performance.now();
const deadline = start + Number(timeout) * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function giveUpIfGone(what) {
  let alive = true;
  try {
    if (watch) process.kill(Number(watch), 0);
  } catch {
    alive = false;
  }
  if (!alive || performance.now() > deadline) {
    console.error(`cold-start: ${alive ? "timed out" : "the worker process exited"} before ${what}`);
    process.exit(1);
  }
}

function accepts() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => (socket.destroy(), resolve(false)));
  });
}

while (!(await accepts())) {
  giveUpIfGone("its port accepted");
  await sleep(5);
}
const ready = performance.now();
// A proxy may accept before the worker is loaded; an answer is any HTTP status.
for (;;) {
  try {
    const answer = await fetch(`http://127.0.0.1:${port}${path}`);
    await answer.arrayBuffer();
    const done = performance.now();
    console.log(`accept_ms=${(ready - start).toFixed(0)} first_answer_ms=${(done - ready).toFixed(1)} status=${answer.status}`);
    break;
  } catch {
    giveUpIfGone("an answer");
    await sleep(5);
  }
}
