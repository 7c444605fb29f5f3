import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, messageOf, request } from "../api.ts";
import { Main, Notice, PageTitle, bytes, useEventListener, useLoad } from "../components.tsx";
import { href, navigate } from "../router.ts";
import type { CorpusListItem, DocumentRow } from "../types.ts";
import { uploadFile } from "../upload.ts";

interface Item {
  name: string;
  size: number;
  status: "uploading" | "accepted" | "chunked" | "rejected" | "failed";
  detail: string;
}

const CORPUS_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const api = (path: string, init: { method: string; body: unknown }) =>
  request(path, { method: init.method, body: init.body }).catch((error: unknown) => {
    // request() throws on error statuses; the uploader wants the response to decide on a fallback.
    const status = (error as { status?: number }).status;
    if (status === undefined || status === 401) throw error;
    return new Response(
      JSON.stringify({ error: { code: (error as { code?: string }).code, message: messageOf(error) } }),
      { status },
    );
  });

/**
 * A drop zone (and a file picker, for keyboards) that uploads each file into the corpus and follows it
 * until it is chunked or rejected with its reason.
 */
export function DropZone({ corpus, onChange }: { corpus: string; onChange?(): void }) {
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const update = (name: string, patch: Partial<Item>) =>
    setItems((xs) => xs.map((x) => (x.name === name ? { ...x, ...patch } : x)));

  const status = useEventListener((e) => {
    const detail = (e.data.detail ?? {}) as { path?: string; reason?: string; passages?: number };
    if (e.data.corpus !== corpus || !detail.path) return;
    if (e.type === "document.chunked")
      update(detail.path, { status: "chunked", detail: `${detail.passages ?? 0} passages` });
    if (e.type === "document.rejected")
      update(detail.path, { status: "rejected", detail: detail.reason ?? "rejected" });
    if (e.type === "document.chunked" || e.type === "document.rejected") onChange?.();
  });
  // Without a live stream, look at the documents list until every accepted file has an outcome.
  const waiting = items.some((i) => i.status === "accepted");
  useEffect(() => {
    if (status !== "unavailable" || !waiting) return;
    const t = setInterval(async () => {
      const { documents } = await getJson<{ documents: DocumentRow[] }>(
        `v1/corpora/${encodeURIComponent(corpus)}/documents?limit=1000`,
      ).catch(() => ({ documents: [] }));
      for (const d of documents)
        update(
          d.path,
          d.status === "chunked"
            ? { status: "chunked", detail: `${d.passages} passages` }
            : { status: "rejected", detail: d.reason ?? "rejected" },
        );
    }, 3000);
    return () => clearInterval(t);
  }, [status, waiting, corpus]);

  const send = async (files: File[]) => {
    setItems((xs) => [
      ...files.map((f) => ({ name: f.name, size: f.size, status: "uploading" as const, detail: "uploading…" })),
      ...xs.filter((x) => !files.some((f) => f.name === x.name)),
    ]);
    for (const f of files) {
      try {
        const { via } = await uploadFile({ api, putObject: (url, init) => fetch(url, init as RequestInit) }, corpus, {
          name: f.name,
          size: f.size,
          type: f.type,
          bytes: async () => new Uint8Array(await f.arrayBuffer()),
        });
        update(f.name, {
          status: "accepted",
          detail: via === "presigned" ? "uploaded to the bucket; chunking…" : "accepted; chunking…",
        });
      } catch (error) {
        update(f.name, { status: "failed", detail: messageOf(error) });
      }
    }
    onChange?.();
  };
  return (
    <section aria-labelledby="upload-title">
      <h2 id="upload-title">Add documents to {corpus}</h2>
      <div
        class={`dropzone${over ? " over" : ""}`}
        data-testid="dropzone"
        onDragEnter={(e) => (e.preventDefault(), setOver(true))}
        onDragOver={(e) => (e.preventDefault(), setOver(true))}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void send([...(e.dataTransfer?.files ?? [])]);
        }}
      >
        <p>
          Drop files here (.txt, .md, .html, .pdf, BEIR corpus.jsonl) or{" "}
          <label class="pick" for={`file-${corpus}`}>
            choose files
          </label>
          .
        </p>
        <input
          id={`file-${corpus}`}
          ref={input}
          type="file"
          multiple
          onChange={() => (void send([...(input.current?.files ?? [])]), input.current && (input.current.value = ""))}
        />
      </div>
      {items.length > 0 && (
        <ul class="uploads" aria-live="polite">
          {items.map((i) => (
            <li key={i.name} data-status={i.status}>
              <strong>{i.name}</strong> <span class="muted">{bytes(i.size)}</span>
              <span
                class={`badge ${i.status === "chunked" ? "ready" : i.status === "rejected" || i.status === "failed" ? "failed" : "active"}`}
              >
                {i.status}
              </span>
              <span>{i.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Upload into an existing corpus or a new one (a corpus is made by its first document). */
export function UploadPage({ corpus }: { corpus?: string }) {
  const corpora = useLoad(() => getJson<{ corpora: CorpusListItem[] }>("v1/corpora"), []);
  const [name, setName] = useState(corpus ?? "");
  const [chosen, setChosen] = useState<string | null>(corpus ?? null);
  const valid = CORPUS_NAME.test(name);
  return (
    <Main>
      <PageTitle>Upload documents</PageTitle>
      {corpora.error && <Notice kind="error">{corpora.error}</Notice>}
      <form
        class="form-row narrow"
        onSubmit={(e) => (e.preventDefault(), valid && (setChosen(name), navigate({ page: "upload", corpus: name })))}
      >
        <div class="field">
          <label for="corpus-name">
            Corpus <span class="hint">(an existing one, or a new name: lower-case letters, digits, '-')</span>
          </label>
          <input
            id="corpus-name"
            type="text"
            list="corpus-names"
            value={name}
            onInput={(e) => setName(e.currentTarget.value.trim())}
            aria-invalid={name && !valid ? true : undefined}
          />
          <datalist id="corpus-names">
            {corpora.data?.corpora.map((c) => (
              <option key={c.name} value={c.name} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <button type="submit" disabled={!valid}>
            Use this corpus
          </button>
        </div>
      </form>
      {name && !valid && (
        <Notice kind="error">
          Corpus names are 1–63 lower-case letters, digits or '-', starting with a letter or digit.
        </Notice>
      )}
      {chosen && <DropZone corpus={chosen} />}
      {chosen && (
        <p>
          <a href={href({ page: "corpus", corpus: chosen })}>Open {chosen}</a> to start a run once the documents are in.
        </p>
      )}
    </Main>
  );
}
