// Usage history written straight into a stopped server's database
// (DATA_DIR/leasehold.db, tables usage_minutes, usage_hours, usage_days),
// since the server itself writes one point a minute as time passes, which a
// test cannot wait for. Python's sqlite3 module does the writing (node 20
// has no built-in SQLite): given rows, or a generated history of many
// products for the benchmark. Used through `startUiServer({ prepare })`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const TABLES = { minute: 'usage_minutes', hour: 'usage_hours', day: 'usage_days' };

// Reads the spec as JSON on stdin: `rows` as they are, then `generate`'s
// products over its spans, a point per step, skipping `gaps` ([from, to) ms).
const SCRIPT = String.raw`
import json, math, sqlite3, sys
spec = json.load(sys.stdin)
tables = spec["tables"]
db = sqlite3.connect(spec["db"])
db.execute("PRAGMA synchronous=OFF")
cols = "(at, product, high, low, seats, denials, waiting, overdraft, tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
def row(r):
    return (r["at"], r["product"], r["high"], r["low"], r["seats"], r["denials"], r["waiting"], r["overdraft"], r["tokens"])
count = 0
with db:
    for r in spec.get("rows", []):
        db.execute("INSERT OR REPLACE INTO " + tables[r["step"]] + " " + cols, row(r))
        count += 1
    g = spec.get("generate")
    if g:
        steps = {"minute": 60000, "hour": 3600000, "day": 86400000}
        gaps = g.get("gaps", [])
        for step, span in g["spans"].items():
            ms = steps[step]
            end = g["now"] - g["now"] % ms
            start = end - span
            def points():
                for k, product in enumerate(g["products"]):
                    seats = 5 + (k % 20)
                    for at in range(start, end, ms):
                        if any(a <= at < b for a, b in gaps):
                            continue
                        day = (at % 86400000) / 86400000
                        wave = 0.5 - 0.5 * math.cos(2 * math.pi * day)
                        high = int(seats * (0.3 + 0.9 * wave)) + (at // ms + k) % 3
                        low = max(0, high - 2 - (at // ms) % 3)
                        over = max(0, high - seats)
                        yield (at, product, high, low, seats, over * 2, over, over, (k % 4) * ((at // ms) % 5))
            rows = points()
            while True:
                chunk = [r for _, r in zip(range(50000), rows)]
                if not chunk:
                    break
                db.executemany("INSERT OR REPLACE INTO " + tables[step] + " " + cols, chunk)
                count += len(chunk)
print(count)
`;

/**
 * Writes usage rows into the database of the stopped server whose data
 * directory is `dataDir`, and answers how many.
 * `rows`: `{ step: 'minute'|'hour'|'day', at, product, high, low, seats, denials, waiting, overdraft, tokens }`.
 * `generate`: `{ products, now, spans: { minute: ms, hour: ms, day: ms }, gaps?: [[from, to]] }`,
 * a point per step of each span ending at `now`'s step, for every product
 * (a daily wave of seats in use, some beyond the licensed ones).
 */
export function fillHistory(dataDir, { rows = [], generate } = {}) {
  const input = JSON.stringify({ db: join(dataDir, 'leasehold.db'), tables: TABLES, rows, generate });
  try {
    return Number(execFileSync('python3', ['-c', SCRIPT], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 20 }).trim());
  } catch (e) {
    throw new Error(`cannot write the usage history with python3's sqlite3: ${e.stderr?.toString() || e.message}`);
  }
}

/** A point of `product` at `at` for `fillHistory`'s `rows`; what is not given is 0 (seats: 10). */
export const point = (step, at, product, values = {}) => ({
  step, at, product, high: 0, low: 0, seats: 10, denials: 0, waiting: 0, overdraft: 0, tokens: 0, ...values,
});
