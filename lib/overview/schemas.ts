import { z } from "zod";

// GET /api/v1/overview: what every persona sees first (the public API, extended compatibly, never renamed).

export const overviewQuerySchema = z.strictObject({
  days: z.coerce.number().int().min(1).max(90).default(30).describe("Days of traffic to chart, ending now (default 30)"),
});

const interval = z.tuple([z.number(), z.number()]).nullable();

export const overviewSchema = z.object({
  computedAt: z.string(),
  production: z
    .object({
      key: z.string(),
      name: z.string(),
      baseModel: z.string().nullable(),
      since: z
        .string()
        .nullable()
        .describe("Since when it has served production without a break (the production timeline); null when no record says so"),
    })
    .nullable()
    .describe("The production model version, or null when none is production yet"),
  traffic: z.object({
    from: z.string(),
    to: z.string(),
    days: z.array(
      z.object({
        date: z.string(),
        users: z.number().int(),
        shown: z.number(),
        accepted: z.number(),
        acceptanceRate: z.number().nullable(),
        acceptanceRateCi: interval,
        aiChars: z.number(),
        humanChars: z.number(),
        generationRate: z.number().nullable(),
        generationRateCi: interval,
      }),
    ),
  }),
  freshness: z.object({
    lastEventAt: z.string().nullable().describe("Timestamp of the newest event stored (its client time)"),
    lastStoredAt: z.string().nullable().describe("When the event store last received events"),
    eventsLast24h: z.number().int().describe("Events stored with a timestamp in the last 24 hours"),
    backlog: z.object({
      pendingSegments: z.number().int().describe("Write-ahead log segments acknowledged but not yet stored in ClickHouse"),
      pendingRows: z.number().int().describe("Rows this server process acknowledged that are not yet stored"),
      failedAttempts: z.number().int(),
      writable: z.boolean(),
      lastError: z.string().nullable(),
    }),
  }),
});

export type OverviewQuery = z.output<typeof overviewQuerySchema>;
export type Overview = z.infer<typeof overviewSchema>;
