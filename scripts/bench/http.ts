// A small closed-loop HTTP load generator over keep-alive connections: `concurrency` clients each send
// their next request as soon as the previous one is answered. Latency is measured per request.
import http from "node:http";

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<number, number>;
}

export interface LoadOptions {
  port: number;
  path: string;
  headers: Record<string, string>;
  /** Body of the i-th request. */
  body: (i: number) => string | Buffer;
  concurrency: number;
  /** Stop after this many requests or this many seconds, whichever comes first. */
  maxRequests: number;
  maxSeconds: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let sent = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.maxSeconds * 1000;

  const one = (body: string | Buffer) =>
    new Promise<number>((resolve) => {
      const request = http.request(
        {
          host: "127.0.0.1",
          port: options.port,
          path: options.path,
          method: "POST",
          agent,
          headers: { ...options.headers, "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      request.on("error", () => resolve(0));
      request.end(body);
    });

  const client = async () => {
    while (sent < options.maxRequests && Date.now() < deadline) {
      const body = options.body(sent++);
      const t0 = process.hrtime.bigint();
      const status = await one(body);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status >= 300) errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    statuses,
  };
}
