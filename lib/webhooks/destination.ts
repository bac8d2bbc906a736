import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";

// Where a webhook may post. An admin types the URL, but the server posts from inside the network: a URL
// naming (or resolving to) a loopback, private, link-local or otherwise non-public address would let it
// reach internal services and cloud metadata endpoints (server-side request forgery). Such addresses
// are refused when the connection is made, after resolution, so a name that resolves differently later
// (DNS rebinding) is caught too. ECHO_WEBHOOK_ALLOW_PRIVATE=1 allows them (a receiver on the same network).

const NON_PUBLIC = new net.BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b::", 96], // NAT64 of IPv4 (checked as IPv4 below too)
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv6");
}

/** Whether an IP address is a public unicast address (IPv4-mapped IPv6 addresses are judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = ipv4Mapped(address);
    return mapped ? isPublicAddress(mapped) : !NON_PUBLIC.check(address, "ipv6");
  }
  return !NON_PUBLIC.check(address, "ipv4");
}

/** The IPv4 address of an IPv4-mapped IPv6 address (::ffff:10.0.0.1 or ::ffff:a00:1), else null. */
function ipv4Mapped(address: string): string | null {
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

export class RefusedDestinationError extends Error {}

const refusal = (host: string, address: string) =>
  new RefusedDestinationError(`refused: ${host} is ${address}, not a public address (ECHO_WEBHOOK_ALLOW_PRIVATE=1 allows it)`);

/** dns.lookup for the connection, failing when any address the name resolves to is not public. */
function publicOnlyLookup(hostname: string, options: dns.LookupOptions, callback: (...args: never[]) => void) {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    const answer = callback as unknown as (e: Error | null, address?: string | dns.LookupAddress[], family?: number) => void;
    if (error) return answer(error);
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) return answer(refusal(hostname, blocked.address));
    if (options.all) return answer(null, addresses);
    answer(null, addresses[0].address, addresses[0].family);
  });
}

/**
 * POSTs `body` to `url` and answers the status code (the answer's body is discarded); throws when there
 * is no answer, or when the destination is not a public address and `allowPrivate` is off. Redirects
 * are answers, not new destinations: the configured URL is the only one posted to.
 */
export function postToWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<number> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  if (!options.allowPrivate && net.isIP(host) && !isPublicAddress(host)) return Promise.reject(refusal(host, host));
  const transport = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
        timeout: options.timeoutMs,
        ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup as unknown as typeof dns.lookup }),
      },
      (response) => {
        response.resume(); // the body is not read, only drained
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}
