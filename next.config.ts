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
  // `npm test` type-checks the whole repository (tsc --noEmit) before it builds; not twice.
  typescript: { ignoreBuildErrors: process.env.ECHO_SKIP_BUILD_TYPECHECK === "1" },
};

export default nextConfig;
