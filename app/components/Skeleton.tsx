import type { CSSProperties } from "react";

/** A grey block standing in for content that is loading, at that content's size (never a "—" that reads as zero). */
export function Skeleton({
  width = "100%",
  height = 14,
  inline = false,
  style,
}: {
  width?: number | string;
  height?: number;
  inline?: boolean;
  style?: CSSProperties;
}) {
  return (
    <span className={inline ? "skeleton inline" : "skeleton"} style={{ width, height, ...style }} aria-hidden data-testid="skeleton" />
  );
}

/** A table's body while its rows load: the header stays, and each cell holds a bar. */
export function SkeletonRows({ rows = 4, columns }: { rows?: number; columns: number }) {
  return (
    <tbody aria-busy="true">
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r}>
          {Array.from({ length: columns }, (_, c) => (
            <td key={c}>
              <Skeleton width={c === 0 ? "70%" : "50%"} />
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}
