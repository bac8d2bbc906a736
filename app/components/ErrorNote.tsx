import { ApiRequestError } from "@/lib/client/api";

/** Shows an API error with the fields it names, as the API reports them. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiRequestError ? (error.body?.error.details ?? []) : [];
  return (
    <div className="banner bad" role="alert">
      {message}
      {details.length > 1 ? (
        <ul>
          {details.map((d) => (
            <li key={d.path + d.message}>
              <code>{d.path}</code>: {d.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
