// Runs once when the server process starts (not during `next build`): migrate both stores, initialize
// an empty one, and load demo data, so the first request finds everything ready.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startup } = await import("./lib/runtime/startup");
  await startup();
}
