import { handle, StreamReply } from "@/lib/api/handler";
import { downloadDataset } from "@/lib/api/contracts/datasets";
import * as datasets from "@/lib/datasets/service";

export const dynamic = "force-dynamic";

// A frozen dataset version, streamed: each page of samples is read and rendered as the client takes the
// body, so the download never holds more than one page.
export const GET = handle(downloadDataset, async ({ db, principal, params, query }) => {
  const download = await datasets.downloadDataset(db, principal, params.id, query.split);
  return new StreamReply(
    200,
    {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${download.fileName}"`,
      "x-echo-content-hash": download.contentHash,
      "x-echo-sample-count": String(download.sampleCount),
      "x-echo-removed-samples": String(download.removedSamples),
      // the bytes are the frozen version's only while none of its samples has been removed since
      ...(download.removedSamples ? {} : { etag: `"sha256-${download.contentHash}"` }),
    },
    download.lines,
  );
});
