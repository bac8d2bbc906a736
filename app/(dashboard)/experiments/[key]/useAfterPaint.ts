import { useEffect, useState } from "react";

/** Resolves after the browser has painted the current frame (a frame, then a task after it). */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * True once `ready` has been true for a painted frame, and from then on. The page's secondary reads wait
 * for it: started in the same tick as the scorecard's render, their answers would compete with that
 * render for the browser and with each other for the server, and the scorecard would show later.
 */
export function useAfterPaint(ready: boolean): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!ready || painted) return;
    let current = true;
    void afterNextPaint().then(() => current && setPainted(true));
    return () => {
      current = false;
    };
  }, [ready, painted]);
  return painted;
}
