// One URL builder for every place that links to the web page (Slack, the digest, Alertmanager's
// generatorURL), so they all agree on the path. Low in the pipeline so notify and digest can import it.

/** `https://apiwatch.example.com/ops` + 42 → `https://apiwatch.example.com/ops/incidents/42`; null when no public_url is set. */
export function incidentUrl(publicUrl: string | null | undefined, id: number): string | null {
  if (!publicUrl) return null;
  return `${publicUrl.replace(/\/+$/, '')}/incidents/${encodeURIComponent(String(id))}`;
}

/** The incidents list, optionally filtered (same query keys the page's filter form uses). */
export function incidentsUrl(publicUrl: string | null | undefined, filter: Record<string, string> = {}): string | null {
  if (!publicUrl) return null;
  const q = new URLSearchParams(filter).toString();
  return `${publicUrl.replace(/\/+$/, '')}/incidents${q ? `?${q}` : ''}`;
}
