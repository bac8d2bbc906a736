// Where to go after signing in: only a path of this site. Browsers read a backslash as a slash and drop
// tabs and newlines from URLs, so `/\evil.test` and `/<tab>/evil.test` are protocol-relative links to
// another site; their percent-encoded forms become so once a router decodes them. Pure.

const ORIGIN = "http://echo.invalid";
const UNSAFE = /[\\\u0000-\u001f\u007f]/;

function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** `next` when it is a path of this site, else "/". */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/")) return "/";
  const plain = decoded(next);
  if (plain === null || UNSAFE.test(next) || UNSAFE.test(plain) || next.startsWith("//") || plain.startsWith("//")) return "/";
  try {
    const url = new URL(next, ORIGIN);
    return url.origin === ORIGIN ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}
