import { useRef, useState } from "preact/hooks";
import { getJson, messageOf, postJson } from "../api.ts";
import { Main, Marked, Notice, PageTitle, useLoad } from "../components.tsx";
import { href, navigate } from "../router.ts";
import { highlightPieces, spanPieces } from "../text-spans.ts";
import type { AnswerResponse, CorpusListItem, Passage, QaAnswer, QaResponse, SearchHit } from "../types.ts";

type Tab = "search" | "qa" | "answer";
const TABS: Array<{ id: Tab; label: string }> = [
  { id: "search", label: "Search" },
  { id: "qa", label: "Extractive QA" },
  { id: "answer", label: "Cited answer" },
];

const f2 = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(3));

function SearchResults({ hits, mode }: { hits: SearchHit[]; mode: string }) {
  if (!hits.length) return <Notice>No passage matched.</Notice>;
  return (
    <>
      <p class="muted">
        {hits.length} passages, {mode} search
      </p>
      <ol class="hits">
        {hits.map((h) => (
          <li class="hit" key={h.id}>
            <h3>{h.title || h.documentId}</h3>
            <div class="meta">
              <span class="mono">{h.sourcePath}</span> · score <span class="score">{f2(h.score)}</span> (BM25{" "}
              {f2(h.scores.lexical)} · TF-IDF {f2(h.scores.sparse)} · tuned {f2(h.scores.semantic)})
            </div>
            {h.highlights.length ? (
              h.highlights.map((x, i) => (
                <p key={i} class="highlight">
                  <Marked pieces={highlightPieces(x)} />
                </p>
              ))
            ) : (
              <p>
                {h.text.slice(0, 300)}
                {h.text.length > 300 ? "…" : ""}
              </p>
            )}
            <details>
              <summary>Whole passage</summary>
              <p>{h.text}</p>
            </details>
          </li>
        ))}
      </ol>
    </>
  );
}

const AnswerSpan = ({ a, label }: { a: QaAnswer; label: string }) => (
  <li class="hit">
    <h3>
      {label}: “{a.text}” <span class="muted score">(confidence {a.score.toFixed(2)})</span>
    </h3>
    <div class="meta">
      <span class="mono">{a.passage.sourcePath}</span> · {a.passage.title}
    </div>
    <p>
      <Marked pieces={spanPieces(a.passage.text, [{ start: a.start, end: a.end }])} />
    </p>
  </li>
);

function QaResults({ r }: { r: QaResponse }) {
  return (
    <>
      {r.noAnswer ? (
        <Notice kind="warn">
          No answer: the corpus most likely does not answer this question (no span scored{" "}
          {r.metadata.threshold ?? "the threshold"} or more).
        </Notice>
      ) : null}
      <ol class="hits">
        {r.answers.map((a, i) => (
          <AnswerSpan key={i} a={a} label={i === 0 ? "Answer" : `Answer ${i + 1}`} />
        ))}
        {r.noAnswer && r.bestGuess && <AnswerSpan a={r.bestGuess} label="Best guess (not an answer)" />}
      </ol>
      <p class="muted">
        {r.metadata.model} · {r.metadata.questionType ?? ""} · {Math.round(r.metadata.latencyMs)} ms
      </p>
    </>
  );
}

/** A cited answer: every sentence carries buttons to the passages it cites, which focus and mark the quoted span. */
function AnswerResults({ r }: { r: AnswerResponse }) {
  const [active, setActive] = useState<{ passageId: string; start: number; end: number } | null>(null);
  const refs = useRef(new Map<string, HTMLElement>());
  if (r.noAnswer)
    return <Notice kind="warn">No answer: {r.reason ?? "the passages do not contain the answer"}.</Notice>;
  const number = new Map(r.passages.map((p, i) => [p.id, i + 1]));
  const follow = (c: { passageId: string; start: number; end: number }) => {
    setActive(c);
    const el = refs.current.get(c.passageId);
    el?.scrollIntoView({ block: "center" });
    el?.focus();
  };
  const spansOf = (p: Passage) => [
    ...r.sentences
      .flatMap((s) => s.citations)
      .filter((c) => c.passageId === p.id && !(active && active.passageId === p.id && active.start === c.start))
      .map((c) => ({ start: c.start, end: c.end })),
    ...(active?.passageId === p.id ? [{ start: active.start, end: active.end, cls: "cited" }] : []),
  ];
  return (
    <>
      <div class="hit answer" aria-label="Answer">
        {r.sentences.map((s, i) => (
          <p class="answer-sentence" key={i}>
            {s.text}
            {s.citations.map((c, j) => (
              <button
                type="button"
                class="cite secondary"
                key={j}
                aria-label={`source ${number.get(c.passageId)} for sentence ${i + 1}`}
                onClick={() => follow(c)}
              >
                {number.get(c.passageId) ?? "?"}
              </button>
            ))}
          </p>
        ))}
        <p class="muted">
          {r.metadata.model}
          {r.score !== undefined ? ` · confidence ${r.score.toFixed(2)}` : ""} · {Math.round(r.metadata.latencyMs)} ms
        </p>
      </div>
      <h2>Sources</h2>
      <ol class="hits">
        {r.passages.map((p, i) => (
          <li
            key={p.id}
            class={`hit source${active?.passageId === p.id ? " active" : ""}`}
            tabIndex={-1}
            id={`source-${i + 1}`}
            data-passage={p.id}
            ref={(el) => void (el ? refs.current.set(p.id, el) : refs.current.delete(p.id))}
          >
            <h3>
              [{i + 1}] {p.title || p.documentId}
            </h3>
            <div class="meta mono">{p.sourcePath}</div>
            <p>
              <Marked pieces={spanPieces(p.text, spansOf(p))} />
            </p>
          </li>
        ))}
      </ol>
    </>
  );
}

/** Try the corpus: search (mode, k, filters) with highlights, extractive QA that may abstain, and cited answers. */
export function PlaygroundPage({ corpus }: { corpus?: string }) {
  const corpora = useLoad(() => getJson<{ corpora: CorpusListItem[] }>("v1/corpora"), []);
  const [tab, setTab] = useState<Tab>("search");
  const [query, setQuery] = useState("");
  const [mode, setMode] = useState("");
  const [k, setK] = useState(5);
  const [sourcePath, setSourcePath] = useState("");
  const [documentId, setDocumentId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<
    | { tab: "search"; hits: SearchHit[]; mode: string }
    | { tab: "qa"; r: QaResponse }
    | { tab: "answer"; r: AnswerResponse }
    | null
  >(null);
  const served = corpora.data?.corpora.find((c) => c.name === corpus)?.serving?.setup?.name;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!corpus || !query.trim()) return;
    setBusy(true);
    setError(null);
    const base = `v1/corpora/${encodeURIComponent(corpus)}`;
    const filter =
      sourcePath || documentId
        ? { ...(sourcePath ? { sourcePath } : {}), ...(documentId ? { documentId } : {}) }
        : undefined;
    const m = mode ? { mode } : {};
    try {
      if (tab === "search") {
        const r = await postJson<{ mode: string; hits: SearchHit[] }>(`${base}/search`, { query, k, ...m, filter });
        setResult({ tab, hits: r.hits, mode: r.mode });
      } else if (tab === "qa") {
        setResult({
          tab,
          r: await postJson<QaResponse>(`${base}/qa`, { question: query, k: Math.min(k, 20), ...m, filter }),
        });
      } else {
        setResult({
          tab,
          r: await postJson<AnswerResponse>(`${base}/answer`, {
            question: query,
            passages: Math.min(k, 20),
            ...m,
            filter,
          }),
        });
      }
    } catch (err) {
      setError(messageOf(err));
      setResult(null);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Main>
      <PageTitle>
        Search &amp; QA
        {corpus ? (
          <>
            {" "}
            in <span class="mono">{corpus}</span>
          </>
        ) : null}
      </PageTitle>
      <div class="field narrow">
        <label for="playground-corpus">Corpus</label>
        <select
          id="playground-corpus"
          value={corpus ?? ""}
          onChange={(e) => navigate({ page: "playground", corpus: e.currentTarget.value || undefined })}
        >
          <option value="">choose a corpus…</option>
          {corpora.data?.corpora.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
              {c.serving ? "" : " (nothing serves yet)"}
            </option>
          ))}
        </select>
      </div>
      {corpus && (
        <>
          <div class="tabs" role="tablist" aria-label="What to ask">
            {TABS.map((t) => (
              <button
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-controls="playground-panel"
                aria-selected={tab === t.id}
                key={t.id}
                onClick={() => (setTab(t.id), setResult(null))}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="playground-panel" aria-labelledby={`tab-${tab}`}>
            <form onSubmit={submit}>
              <div class="field">
                <label for="query">{tab === "search" ? "Query" : "Question"}</label>
                <input
                  id="query"
                  type="search"
                  value={query}
                  maxLength={1000}
                  onInput={(e) => setQuery(e.currentTarget.value)}
                />
              </div>
              <div class="form-row">
                <div class="field">
                  <label for="mode">Mode</label>
                  <select id="mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
                    <option value="">
                      {tab === "search" ? `as served (${served ?? "hybrid"})` : "hybrid (default)"}
                    </option>
                    <option value="hybrid">hybrid</option>
                    <option value="semantic">semantic</option>
                    <option value="lexical">lexical (BM25)</option>
                  </select>
                </div>
                <div class="field">
                  <label for="k">{tab === "search" ? "Results (k)" : tab === "qa" ? "Answers (k)" : "Passages"}</label>
                  <input
                    id="k"
                    type="number"
                    min={1}
                    max={tab === "search" ? 100 : 20}
                    value={k}
                    onInput={(e) => setK(Math.max(1, Number(e.currentTarget.value) || 1))}
                  />
                </div>
                <div class="field">
                  <label for="filter-source">
                    Only the file <span class="hint">(source path)</span>
                  </label>
                  <input
                    id="filter-source"
                    type="text"
                    value={sourcePath}
                    onInput={(e) => setSourcePath(e.currentTarget.value)}
                  />
                </div>
                <div class="field">
                  <label for="filter-document">
                    Only the document <span class="hint">(id)</span>
                  </label>
                  <input
                    id="filter-document"
                    type="text"
                    value={documentId}
                    onInput={(e) => setDocumentId(e.currentTarget.value)}
                  />
                </div>
              </div>
              <button type="submit" disabled={busy || !query.trim()}>
                {busy ? "Working…" : tab === "search" ? "Search" : "Ask"}
              </button>
            </form>
            <div aria-live="polite" class="results">
              {error && <Notice kind="error">{error}</Notice>}
              {result?.tab === "search" && <SearchResults hits={result.hits} mode={result.mode} />}
              {result?.tab === "qa" && <QaResults r={result.r} />}
              {result?.tab === "answer" && <AnswerResults r={result.r} />}
            </div>
          </div>
        </>
      )}
      {!corpus && corpora.data && corpora.data.corpora.length === 0 && (
        <Notice>
          No corpora yet. <a href={href({ page: "upload" })}>Upload documents</a> first.
        </Notice>
      )}
    </Main>
  );
}
