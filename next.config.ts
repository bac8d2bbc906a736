import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and WASM engines load files relative to their own modules: keep them out of the bundle.
  serverExternalPackages: [
    "chdb",
    "@clickhouse/client",
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "web-tree-sitter",
    "@vscode/tree-sitter-wasm",
  ],
  poweredByHeader: false,
  // Pages: no framing, no sniffing, scripts and connections only from this site (Next's bootstrap is
  // inline). API answers carry their own (lib/api/handler.ts).
  async headers() {
    return [
      {
        source: "/((?!api/).*)",
        headers: [
          {
            key: "Content-Security-Policy",
            value: [
              "default-src 'self'",
              "script-src 'self' 'unsafe-inline'",
              "style-src 'self' 'unsafe-inline'",
              "img-src 'self' data: blob:",
              "font-src 'self' data:",
              "connect-src 'self'",
              "object-src 'none'",
              "base-uri 'self'",
              "form-action 'self'",
              "frame-ancestors 'none'",
            ].join("; "),
          },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
        ],
      },
    ];
  },
  // `npm test` type-checks the whole repository (tsc --noEmit) before it builds; not twice.
  typescript: { ignoreBuildErrors: process.env.ECHO_SKIP_BUILD_TYPECHECK === "1" },
};

export default nextConfig;
