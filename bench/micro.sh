#!/usr/bin/env bash
# The native micro-benchmark of the request path (bench/micro/request_path.rs, criterion), then the
# median of each benchmark with its 95% confidence interval. Extra arguments go to criterion
# (e.g. `bash bench/micro.sh create_license` to run only the whole path).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench request_path -- "$@"
echo
echo "== medians ($(nproc) CPUs; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
find target/criterion -path '*/new/estimates.json' | sort | while read -r file; do
  name=${file#target/criterion/}
  name=${name%/new/estimates.json}
  node -e '
    const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).median;
    const us = (ns) => (ns / 1000).toFixed(3);
    console.log(`${process.argv[2].padEnd(28)} median ${us(e.point_estimate)} µs  [${us(e.confidence_interval.lower_bound)} – ${us(e.confidence_interval.upper_bound)}]`);
  ' "$file" "$name"
done
