import { afterEach, expect, it } from "vitest";
import { cancelJob, scheduleJob, stopAllJobs } from "@/lib/jobs";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => stopAllJobs());

it("runs one turn at a time: a turn longer than the interval is not overlapped", async () => {
  let running = 0;
  let most = 0;
  let turns = 0;
  scheduleJob("overlap", { intervalMs: 5, firstRunMs: 0 }, async () => {
    running++;
    turns++;
    most = Math.max(most, running);
    await sleep(30);
    running--;
  });
  await sleep(120);
  await cancelJob("overlap");
  expect(turns).toBeGreaterThanOrEqual(2);
  expect(most).toBe(1);
});

it("starts a job of the same name once", async () => {
  const ran: string[] = [];
  scheduleJob("twice", { intervalMs: 10_000, firstRunMs: 0 }, async () => void ran.push("first"));
  scheduleJob("twice", { intervalMs: 10_000, firstRunMs: 0 }, async () => void ran.push("second"));
  await sleep(20);
  expect(ran).toEqual(["first"]);
});

it("stopping waits for the turn in flight, and no turn starts after it", async () => {
  const events: string[] = [];
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  scheduleJob("stop", { intervalMs: 5, firstRunMs: 0 }, async () => {
    events.push("start");
    started();
    await sleep(50);
    events.push("end");
  });
  await inFlight;
  await stopAllJobs();
  events.push("stopped");
  await sleep(30);
  expect(events).toEqual(["start", "end", "stopped"]);
});
