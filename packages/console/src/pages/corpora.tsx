import { getJson } from "../api.ts";
import { Main, Notice, PageTitle, StateBadge, useEventListener, useLoad, when } from "../components.tsx";
import { href } from "../router.ts";
import type { CorpusListItem } from "../types.ts";

/** Every corpus of the tenant: size, what serves it, and its latest run. */
export function CorporaPage() {
  const { data, error, loading, reload } = useLoad(() => getJson<{ corpora: CorpusListItem[] }>("v1/corpora"), []);
  useEventListener((e) => {
    if (e.type.startsWith("run.") || e.type.startsWith("document.")) reload();
  });
  const corpora = data?.corpora ?? [];
  return (
    <Main>
      <PageTitle>Corpora</PageTitle>
      {error && <Notice kind="error">{error}</Notice>}
      {!loading && !error && corpora.length === 0 && (
        <Notice>
          No corpora yet. <a href={href({ page: "upload" })}>Upload documents</a> to make one.
        </Notice>
      )}
      {corpora.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Your corpora</caption>
            <thead>
              <tr>
                <th scope="col">corpus</th>
                <th scope="col" class="num">
                  documents
                </th>
                <th scope="col" class="num">
                  passages
                </th>
                <th scope="col" class="num">
                  rejected files
                </th>
                <th scope="col">serving</th>
                <th scope="col">latest run</th>
              </tr>
            </thead>
            <tbody>
              {corpora.map((c) => {
                const latest = c.latestRun;
                return (
                  <tr key={c.name}>
                    <th scope="row">
                      <a href={href({ page: "corpus", corpus: c.name })}>{c.name}</a>
                    </th>
                    <td class="num">{c.documents}</td>
                    <td class="num">{c.passages}</td>
                    <td class="num">{c.rejectedFiles}</td>
                    <td>
                      {c.serving ? (
                        <>
                          {c.serving.setup?.name ?? "hybrid"} ·{" "}
                          <a href={href({ page: "report", run: c.serving.runId })}>report</a>
                        </>
                      ) : (
                        <span class="muted">nothing yet</span>
                      )}
                    </td>
                    <td>
                      {latest ? (
                        <>
                          <a href={href({ page: "run", run: latest.id })}>{when(latest.createdAt)}</a>{" "}
                          <StateBadge state={latest.state} />
                        </>
                      ) : (
                        <span class="muted">none</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p class="actions">
        <a class="button" href={href({ page: "upload" })}>
          Upload documents
        </a>
        <a class="button secondary" href={href({ page: "playground" })}>
          Search &amp; QA
        </a>
      </p>
    </Main>
  );
}
