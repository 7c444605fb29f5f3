import { useState } from "preact/hooks";
import { ApiError, messageOf, request } from "../api.ts";
import { Main, Notice, PageTitle } from "../components.tsx";
import { clearKey, setKey } from "../session.ts";

/** Sign in with an API key: checked against the API, then kept in this tab's session storage only. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn(): void; notice: string | null }) {
  const [key, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return setError("Enter an API key.");
    setBusy(true);
    setError(null);
    setKey(trimmed);
    try {
      await request("v1/corpora");
      onSignedIn();
    } catch (err) {
      clearKey();
      setError(
        err instanceof ApiError && err.status === 401
          ? "That key was refused. Check it, or make one with `genq keys create`."
          : `Could not reach the API: ${messageOf(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Main>
      <div class="narrow">
        <PageTitle>Sign in to genq</PageTitle>
        {notice && <Notice>{notice}</Notice>}
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label for="api-key">
              API key <span class="hint">(kept in this browser tab only, sent in a header)</span>
            </label>
            <input
              id="api-key"
              name="api-key"
              type="password"
              autoComplete="off"
              spellcheck={false}
              value={key}
              onInput={(e) => setValue(e.currentTarget.value)}
              aria-describedby={error ? "sign-in-error" : undefined}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <button type="submit" disabled={busy}>
            {busy ? "Checking…" : "Sign in"}
          </button>
        </form>
        {error && (
          <div id="sign-in-error">
            <Notice kind="error">{error}</Notice>
          </div>
        )}
        <p class="muted">
          No key yet? <code>genq serve</code> prints one on first start; <code>genq keys create</code> makes another.
          The API reference is at <a href="docs">/docs</a>.
        </p>
      </div>
    </Main>
  );
}
