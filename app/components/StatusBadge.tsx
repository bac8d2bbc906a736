const tone: Record<string, string> = {
  running: "good",
  production: "good",
  draft: "",
  candidate: "accent",
  stopped: "warn",
  retired: "",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge ${tone[status] ?? ""}`} data-testid="status">
      {status}
    </span>
  );
}
