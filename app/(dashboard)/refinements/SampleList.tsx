"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import { percent } from "@/app/components/format";
import type { SampleSummary } from "@/lib/client/hooks";
import { age, firstLine, labelText, labelTone, OUTCOMES } from "./present";

const ROW_HEIGHT = 74;

/**
 * The samples as a virtualized list (only the rows in view are in the document), asking for the next
 * page when the end comes into view; the selected row is scrolled into view when it moves.
 */
export function SampleList({
  items,
  selectedIndex,
  onSelect,
  onOpen,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
}: {
  items: SampleSummary[];
  selectedIndex: number;
  onSelect: (index: number) => void;
  onOpen: (index: number) => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // The project does not use the React Compiler; the virtualizer re-renders this component as it scrolls.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length + (hasNextPage ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= items.length - 5) fetchNextPage();
  }, [lastIndex, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);

  return (
    <div ref={scroller} className="sample-list" role="listbox" aria-label="Samples" data-testid="sample-list">
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualItems.map((row) => {
          const sample = items[row.index];
          const style = {
            position: "absolute" as const,
            top: 0,
            left: 0,
            right: 0,
            height: row.size,
            transform: `translateY(${row.start}px)`,
          };
          if (!sample) {
            return (
              <div key="more" className="sample-row loading" style={style}>
                <span className="muted small">Loading more samples…</span>
              </div>
            );
          }
          const selected = row.index === selectedIndex;
          return (
            <div
              key={sample.suggestionId}
              role="option"
              aria-selected={selected}
              data-testid="sample-row"
              data-suggestion-id={sample.suggestionId}
              data-index={row.index}
              className={selected ? "sample-row selected" : "sample-row"}
              style={style}
              onClick={() => onSelect(row.index)}
              onDoubleClick={() => onOpen(row.index)}
            >
              <div className="sample-row-meta">
                <span className={`badge ${OUTCOMES[sample.outcome].tone}`}>{OUTCOMES[sample.outcome].label}</span>
                <span className="small">{sample.language || "—"}</span>
                <span className="muted small ellipsis">
                  {sample.experimentKey ? `${sample.experimentKey}/${sample.variantKey}` : sample.modelVersion}
                </span>
                <span className="spacer" />
                {sample.label ? (
                  <span className={`badge ${labelTone(sample.label)}`} data-testid="row-label">
                    {labelText(sample.label)}
                  </span>
                ) : null}
                <span className="muted small" title={sample.refinedAt}>
                  {age(sample.refinedAt)}
                </span>
              </div>
              <div className="sample-row-code">
                <code className="ellipsis">{firstLine(sample.target) || firstLine(sample.final) || "(empty)"}</code>
                <span className="ratio" title="Edit ratio: edit distance over the longer text">
                  <span className="ratio-bar">
                    <span style={{ width: `${Math.min(100, sample.editRatio * 100)}%` }} />
                  </span>
                  {percent(sample.editRatio, 0)}
                </span>
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
