import { useEffect, useRef, useState } from "preact/hooks";
import { download, getJson, messageOf, request } from "../api.ts";
import { Main, Notice, PageTitle, useLoad } from "../components.tsx";
import { href, navigate } from "../router.ts";
import type { ResultFile, Run, RunSummary } from "../types.ts";

const label = (f: ResultFile) =>
  f.kind === "csv" ? "CSV (every system)" : f.kind === "qrels" ? "qrels" : `TREC run: ${f.system}`;

/**
 * The report (or two runs compared) as the server renders it — the same page `genq report` opens —
 * shown in a shadow root so its styles and the console's stay apart; plus the run's exports, a query
 * filter for the drill-down and a picker for the run to compare with.
 */
export function ReportPage({ runId, compare }: { runId: string; compare?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState("");
  const run = useLoad(() => getJson<Run>(`v1/runs/${encodeURIComponent(runId)}`), [runId]);
  const runs = useLoad(
    () =>
      run.data
        ? getJson<{ runs: RunSummary[] }>(`v1/corpora/${encodeURIComponent(run.data.corpus)}/runs?limit=100`)
        : Promise.resolve(null),
    [run.data?.corpus],
  );
  const files = useLoad(
    () => getJson<{ files: ResultFile[] }>(`v1/runs/${encodeURIComponent(runId)}/results`).catch(() => ({ files: [] })),
    [runId],
  );
  const page = useLoad(async () => {
    const path = compare
      ? `v1/runs/${encodeURIComponent(runId)}/compare/${encodeURIComponent(compare)}`
      : `v1/runs/${encodeURIComponent(runId)}/report`;
    return (await request(path, { accept: "text/html" })).text();
  }, [runId, compare]);

  useEffect(() => {
    const el = host.current;
    if (!el || page.data === undefined) return;
    const root = el.shadowRoot ?? el.attachShadow({ mode: "open" });
    // The server's page is escaped HTML without scripts; in a shadow root its <style> stays inside.
    root.innerHTML = page.data;
  }, [page.data]);
  useEffect(() => {
    const root = host.current?.shadowRoot;
    if (!root) return;
    const q = filter.trim().toLowerCase();
    for (const d of root.querySelectorAll<HTMLDetailsElement>("details.query"))
      d.hidden = Boolean(q) && !(d.dataset.query ?? "").includes(q);
  }, [filter, page.data]);

  const others = (runs.data?.runs ?? []).filter(
    (r) => r.id !== runId && (r.state === "ready" || r.state === "rejected"),
  );
  const save = (f: ResultFile) =>
    download(`v1/runs/${encodeURIComponent(runId)}/results/${encodeURIComponent(f.file)}`, `${runId}.${f.file}`).catch(
      (e: unknown) => setError(messageOf(e)),
    );
  return (
    <Main>
      <p class="crumbs">
        <a href={href({ page: "corpora" })}>Corpora</a> /{" "}
        {run.data && <a href={href({ page: "corpus", corpus: run.data.corpus })}>{run.data.corpus}</a>} /{" "}
        <a href={href({ page: "run", run: runId })}>{runId}</a> /
      </p>
      <PageTitle>
        {compare ? (
          <>
            Runs compared: <span class="mono">{runId}</span> (A) and <span class="mono">{compare}</span> (B)
          </>
        ) : (
          <>
            Report of <span class="mono">{runId}</span>
          </>
        )}
      </PageTitle>
      <div class="report-toolbar">
        {!compare && (
          <div class="field">
            <label for="query-filter">Find a query in the drill-down</label>
            <input id="query-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          </div>
        )}
        <div class="field">
          <label for="compare-with">{compare ? "Compare A with" : "Compare with another run"}</label>
          <select
            id="compare-with"
            value={compare ?? ""}
            onChange={(e) => {
              const other = e.currentTarget.value;
              navigate(other ? { page: "report", run: runId, compare: other } : { page: "report", run: runId });
            }}
          >
            <option value="">{compare ? "(this run alone)" : "choose a run…"}</option>
            {others.map((r) => (
              <option key={r.id} value={r.id}>
                {r.id} ({r.state})
              </option>
            ))}
          </select>
        </div>
        {!compare && (files.data?.files.length ?? 0) > 0 && (
          <form
            class="field exports"
            onSubmit={(e) => {
              e.preventDefault();
              const f = files.data!.files.find((x) => x.file === chosen) ?? files.data!.files[0]!;
              void save(f);
            }}
          >
            <label for="export-file">Per-query results</label>
            <span class="actions">
              <select id="export-file" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
                {[...new Set(files.data!.files.map((f) => f.set))].map((set) => (
                  <optgroup key={set} label={set}>
                    {files
                      .data!.files.filter((f) => f.set === set)
                      .map((f) => (
                        <option key={f.file} value={f.file}>
                          {f.file} — {label(f)}
                        </option>
                      ))}
                  </optgroup>
                ))}
              </select>
              <button type="submit" class="secondary">
                Download
              </button>
            </span>
          </form>
        )}
      </div>
      {(page.error || error) && <Notice kind="error">{page.error ?? error}</Notice>}
      {page.loading && !page.data && <p>Loading the report…</p>}
      <div class="report-frame" ref={host} data-testid="report" />
    </Main>
  );
}
