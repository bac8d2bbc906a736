import { NotFoundPanel } from "@/app/components/NotFoundPanel";

// notFound() from any dashboard page (a missing experiment or dataset) renders here, inside the shell.
export default function DashboardNotFound() {
  return <NotFoundPanel />;
}
