import { NextResponse, type NextRequest } from "next/server";

// Server components cannot see the request URL; pass the path along so a redirect to the sign-in page
// can bring the user back where they were.
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-echo-path", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/((?!api|_next|favicon.ico).*)"] };
