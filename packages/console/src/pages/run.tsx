import { useEffect, useState } from "preact/hooks";
import { getJson, messageOf, request } from "../api.ts";
import { Main, Notice, PageTitle, StateBadge, seconds, useEventListener, useLoad, when } from "../components.tsx";
import { href } from "../router.ts";
import { TERMINAL, stageView } from "../run-stages.ts";
import type { Run } from "../types.ts";

const STATUS_WORD = {
  done: "done",
  current: "in progress",
  failed: "failed",
  pending: "waiting",
  skipped: "not reached",
} as const;

/**
 * A run's stages, live: the event stream's `run.progressed` events move it along as the server's state
 * changes (and the run is re-read for its history); without a stream the page polls until the run ends.
 */
export function RunPage({ runId }: { runId: string }) {
  const run = useLoad(() => getJson<Run>(`v1/runs/${encodeURIComponent(runId)}`), [runId]);
  const [now, setNow] = useState(Date.now());
  const [live, setLive] = useState<Run | null>(null);
  const current = live && run.data && live.updatedAt > run.data.updatedAt ? live : run.data;
  const finished = current ? TERMINAL.has(current.state) : false;

  const status = useEventListener((e) => {
    const detail = (e.data.detail ?? e.data) as {
      runId?: string;
      state?: string;
      history?: Run["history"];
      reason?: string | null;
      updatedAt?: string;
    };
    if (detail.runId !== runId) return;
    if (e.type === "run.progressed" && run.data && detail.state && detail.history && detail.updatedAt) {
      setLive({
        ...run.data,
        state: detail.state,
        history: detail.history,
        reason: detail.reason ?? null,
        updatedAt: detail.updatedAt,
      });
    }
    run.reload();
  });
  useEffect(() => {
    if (finished) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    // Without the stream, poll the run until it ends.
    const poll = status === "unavailable" ? setInterval(run.reload, 2000) : undefined;
    return () => (clearInterval(tick), poll && clearInterval(poll));
  }, [finished, status]);

  const [cancelling, setCancelling] = useState<"idle" | "sent" | string>("idle");
  const cancel = async () => {
    if (!confirm(`Cancel run ${runId}? It ends failed, and its corpus is free for the next run.`)) return;
    try {
      await request(`v1/runs/${encodeURIComponent(runId)}/cancel`, { method: "POST" });
      setCancelling("sent");
      run.reload();
    } catch (error) {
      setCancelling(messageOf(error));
    }
  };
  const cancellable = current && !finished && current.state !== "promoting";

  const stages = current ? stageView(current, now) : [];
  return (
    <Main>
      <p class="crumbs">
        <a href={href({ page: "corpora" })}>Corpora</a> /{" "}
        {current && <a href={href({ page: "corpus", corpus: current.corpus })}>{current.corpus}</a>} /
      </p>
      <PageTitle>
        Run <span class="mono">{runId}</span>
      </PageTitle>
      {run.error && <Notice kind="error">{run.error}</Notice>}
      {current && (
        <>
          <p>
            <StateBadge state={current.state} /> started {when(current.createdAt)}
            {finished ? (
              <> · ended {when(current.updatedAt)}</>
            ) : (
              <> · {status === "live" ? "following live" : "checking every 2 s"}</>
            )}
          </p>
          {cancellable && (
            <p class="actions">
              <button type="button" class="secondary" onClick={cancel} disabled={cancelling === "sent"}>
                {cancelling === "sent" ? "Cancelling…" : "Cancel run"}
              </button>
            </p>
          )}
          {cancelling !== "idle" && cancelling !== "sent" && <Notice kind="error">{cancelling}</Notice>}
          <p class="visually-hidden" aria-live="polite" data-testid="run-state">
            Run {current.state}
          </p>
          <ol class="stages" aria-label="Stages">
            {stages.map((s) => (
              <li
                key={s.stage}
                class={s.status}
                data-stage={s.stage}
                data-status={s.status}
                aria-current={s.status === "current" ? "step" : undefined}
              >
                <span class="name">{s.stage}</span>
                <span class="time">
                  {STATUS_WORD[s.status]}
                  {s.durationMs !== null ? ` · ${seconds(s.durationMs)}` : ""}
                </span>
              </li>
            ))}
          </ol>
          {current.reason && (
            <Notice kind={current.state === "failed" ? "error" : current.state === "rejected" ? "warn" : "info"}>
              {current.reason}
            </Notice>
          )}
          {current.artifacts.reportKey && (
            <p class="actions">
              <a class="button" href={href({ page: "report", run: runId })}>
                Open the report
              </a>
              <a class="button secondary" href={href({ page: "playground", corpus: current.corpus })}>
                Search &amp; QA
              </a>
            </p>
          )}
          <h2>History</h2>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">State changes of the run</caption>
              <thead>
                <tr>
                  <th scope="col">when</th>
                  <th scope="col">from</th>
                  <th scope="col">to</th>
                  <th scope="col">because of</th>
                </tr>
              </thead>
              <tbody>
                {current.history.map((h, i) => (
                  <tr key={i}>
                    <td>{when(h.at)}</td>
                    <td>{h.from}</td>
                    <td>{h.to}</td>
                    <td class="mono">{h.event}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Main>
  );
}
