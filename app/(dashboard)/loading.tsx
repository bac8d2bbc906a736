import { Skeleton } from "@/app/components/Skeleton";

// While the server prepares the next page, the shell stays and the page's place holds a header and cards.
export default function DashboardLoading() {
  return (
    <div className="page" aria-busy="true" data-testid="page-loading">
      <div className="stack">
        <Skeleton width={220} height={26} />
        <Skeleton width={420} />
      </div>
      <Skeleton height={120} />
      <Skeleton height={260} />
    </div>
  );
}
