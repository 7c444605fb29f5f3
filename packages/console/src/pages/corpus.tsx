import { useState } from "preact/hooks";
import { getJson, messageOf, postJson } from "../api.ts";
import { Main, Notice, PageTitle, StateBadge, bytes, useEventListener, useLoad, when } from "../components.tsx";
import { href, navigate } from "../router.ts";
import type { CorpusDetail, DocumentRow, Run, RunSummary } from "../types.ts";
import { DropZone } from "./upload.tsx";

const PAGE = 50;
const RUNS = 50;
const FINISHED = new Set(["ready", "rejected"]);

function Documents({ corpus, version }: { corpus: string; version: number }) {
  const [pages, setPages] = useState(1);
  const list = useLoad(
    () =>
      getJson<{ documents: DocumentRow[]; next: string | null }>(
        `v1/corpora/${encodeURIComponent(corpus)}/documents?limit=${PAGE * pages}`,
      ),
    [corpus, version, pages],
  );
  if (list.error) return <Notice kind="error">{list.error}</Notice>;
  const docs = list.data?.documents ?? [];
  return (
    <>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Documents of {corpus}</caption>
          <thead>
            <tr>
              <th scope="col">file</th>
              <th scope="col">status</th>
              <th scope="col" class="num">
                size
              </th>
              <th scope="col" class="num">
                passages
              </th>
              <th scope="col">updated</th>
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <tr key={d.path}>
                <td class="mono">{d.path}</td>
                <td>
                  {d.status === "chunked" ? "chunked" : <span class="badge failed">rejected</span>}
                  {d.reason && <div class="muted">{d.reason}</div>}
                </td>
                <td class="num">{bytes(d.size)}</td>
                <td class="num">{d.passages}</td>
                <td>{when(d.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data?.next && (
        <button type="button" class="secondary" onClick={() => setPages((p) => p + 1)}>
          Show more documents
        </button>
      )}
    </>
  );
}

/** One corpus: size, serving setup and model, runs (start one, open its report, compare two), documents and rejected files. */
export function CorpusPage({ corpus }: { corpus: string }) {
  const base = `v1/corpora/${encodeURIComponent(corpus)}`;
  const summary = useLoad(() => getJson<CorpusDetail>(base), [corpus]);
  const [runPages, setRunPages] = useState(1);
  const runList = useLoad(
    () => getJson<{ runs: RunSummary[]; next: string | null }>(`${base}/runs?limit=${RUNS * runPages}`),
    [corpus, runPages],
  );
  const rejectedList = useLoad(
    () => getJson<{ documents: DocumentRow[]; next: string | null }>(`${base}/documents?status=rejected&limit=${PAGE}`),
    [corpus],
  );
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [pick, setPick] = useState<string[]>([]);
  useEventListener((e) => {
    if (e.data.corpus !== corpus) return;
    summary.reload();
    runList.reload();
    rejectedList.reload();
  });
  const start = async () => {
    setError(null);
    try {
      const run = await postJson<Run>(`v1/corpora/${encodeURIComponent(corpus)}/runs`, undefined, { method: "POST" });
      navigate({ page: "run", run: run.id });
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const c = summary.data;
  const runs = runList.data?.runs ?? c?.recentRuns ?? [];
  const rejected = rejectedList.data?.documents ?? [];
  const active = runs.find((r) => !["ready", "failed", "rejected"].includes(r.state));
  const comparable = runs.filter((r) => FINISHED.has(r.state));
  return (
    <Main>
      <p class="crumbs">
        <a href={href({ page: "corpora" })}>Corpora</a> /
      </p>
      <PageTitle>{corpus}</PageTitle>
      {summary.error && <Notice kind="error">{summary.error}</Notice>}
      {c && (
        <>
          <div class="cards">
            <div class="card">
              <div class="big">{c.documents}</div>documents in {c.files} files
            </div>
            <div class="card">
              <div class="big">{c.passages}</div>passages
              {c.untrainedPassages > 0 && (
                <div class="muted">
                  {c.untrainedPassages} of {c.servedPassages} served not yet trained on
                </div>
              )}
            </div>
            <div class="card">
              <div class="big">{c.rejectedFiles}</div>rejected files
            </div>
            <div class="card">
              <strong>Serving</strong>
              {c.serving ? (
                <div>
                  setup <b>{c.serving.setup?.name ?? "hybrid"}</b>
                  {c.serving.setup && (
                    <div class="muted">
                      weights BM25 {c.serving.setup.weights.lexical} · TF-IDF {c.serving.setup.weights.sparse} · tuned{" "}
                      {c.serving.setup.weights.semantic}
                    </div>
                  )}
                  <div class="muted">
                    model <span class="mono">{c.serving.modelId ?? "—"}</span>
                  </div>
                  <div class="muted">
                    index <span class="mono">{c.serving.indexVersion}</span>
                  </div>
                  <a href={href({ page: "report", run: c.serving.runId })}>report of {c.serving.runId}</a>
                </div>
              ) : (
                <div class="muted">nothing yet: start a run</div>
              )}
            </div>
          </div>
          <div class="actions">
            {active ? (
              <a class="button" href={href({ page: "run", run: active.id })}>
                Follow the run in progress
              </a>
            ) : (
              <button type="button" onClick={start}>
                Start a run
              </button>
            )}
            <a class="button secondary" href={href({ page: "playground", corpus })}>
              Search &amp; QA
            </a>
          </div>
          {error && <Notice kind="error">{error}</Notice>}

          <h2>Runs</h2>
          {runList.error && <Notice kind="error">{runList.error}</Notice>}
          {runs.length === 0 ? (
            <p class="muted">No runs yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Runs of {corpus}</caption>
                <thead>
                  <tr>
                    <th scope="col">compare</th>
                    <th scope="col">run</th>
                    <th scope="col">state</th>
                    <th scope="col">started</th>
                    <th scope="col">report</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {FINISHED.has(r.state) && (
                          <input
                            type="checkbox"
                            aria-label={`compare ${r.id}`}
                            checked={pick.includes(r.id)}
                            onChange={(e) =>
                              setPick((p) =>
                                e.currentTarget.checked ? [...p, r.id].slice(-2) : p.filter((x) => x !== r.id),
                              )
                            }
                          />
                        )}
                      </td>
                      <td>
                        <a class="mono" href={href({ page: "run", run: r.id })}>
                          {r.id}
                        </a>
                      </td>
                      <td>
                        <StateBadge state={r.state} />
                        {r.reason && <div class="muted">{r.reason}</div>}
                      </td>
                      <td>{when(r.createdAt)}</td>
                      <td>{FINISHED.has(r.state) ? <a href={href({ page: "report", run: r.id })}>report</a> : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {runList.data?.next && (
            <button type="button" class="secondary" onClick={() => setRunPages((p) => p + 1)}>
              Show more runs
            </button>
          )}
          {comparable.length >= 2 && (
            <div class="actions">
              <button
                type="button"
                class="secondary"
                disabled={pick.length !== 2}
                onClick={() => {
                  const created = (id: string) => runs.find((r) => r.id === id)?.createdAt ?? "";
                  const [older, newer] = [...pick].sort((x, y) => (created(x) < created(y) ? -1 : 1));
                  navigate({ page: "report", run: older!, compare: newer! });
                }}
              >
                Compare the two ticked runs
              </button>
              <span class="muted">{pick.length}/2 ticked</span>
            </div>
          )}

          {rejected.length > 0 && (
            <>
              <h2>Rejected files</h2>
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Files of {corpus} that were rejected, with the reason</caption>
                  <thead>
                    <tr>
                      <th scope="col">file</th>
                      <th scope="col">reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rejected.map((r) => (
                      <tr key={r.path}>
                        <td class="mono">{r.path}</td>
                        <td>{r.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {rejectedList.data?.next && (
                <p class="muted">
                  {c.rejectedFiles - rejected.length} more rejected files are listed below with the documents.
                </p>
              )}
            </>
          )}
          <DropZone
            corpus={corpus}
            onChange={() => (setVersion((v) => v + 1), summary.reload(), rejectedList.reload())}
          />
          <h2>Documents</h2>
          <Documents corpus={corpus} version={version} />
        </>
      )}
    </Main>
  );
}
