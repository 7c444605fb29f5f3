import { useState } from "preact/hooks";
import { getJson, messageOf, postJson, request } from "../api.ts";
import { Main, Notice, PageTitle, useLoad, when } from "../components.tsx";
import type { ApiKeyInfo } from "../types.ts";

/** The tenant's API keys: list them, make one (shown once), revoke one (with a second click to confirm). */
export function KeysPage() {
  const keys = useLoad(() => getJson<{ keys: ApiKeyInfo[] }>("v1/keys"), []);
  const [made, setMade] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    setError(null);
    try {
      setMade((await postJson<{ key: string }>("v1/keys", {})).key);
      keys.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await request(`v1/keys/${encodeURIComponent(id)}`, { method: "DELETE" });
      setConfirm(null);
      keys.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Main>
      <PageTitle>API keys</PageTitle>
      <p>
        Keys act for your tenant: they see and change your corpora. A key is shown once, when it is made; genq stores
        only its hash.
      </p>
      {keys.error && <Notice kind="error">{keys.error}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      <div class="actions">
        <button type="button" onClick={create}>
          Make a new key
        </button>
      </div>
      {made && (
        <div class="notice ok" role="status">
          <label for="new-key">Your new key — copy it now, it is not shown again</label>
          <input
            id="new-key"
            class="key-once"
            type="text"
            readOnly
            value={made}
            onFocus={(e) => e.currentTarget.select()}
          />
          <div class="actions">
            <button type="button" class="secondary" onClick={() => void navigator.clipboard?.writeText(made)}>
              Copy
            </button>
            <button type="button" class="secondary" onClick={() => setMade(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {keys.data && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Your API keys</caption>
            <thead>
              <tr>
                <th scope="col">key id</th>
                <th scope="col">made</th>
                <th scope="col">
                  <span class="visually-hidden">actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.keys.map((k) => (
                <tr key={k.id}>
                  <td class="mono">
                    {k.id}
                    {k.current && <span class="badge active">this session</span>}
                  </td>
                  <td>{when(k.createdAt)}</td>
                  <td>
                    {confirm === k.id ? (
                      <span class="actions">
                        <button type="button" class="danger" onClick={() => void revoke(k.id)}>
                          Revoke {k.id}
                          {k.current ? " (signs you out)" : ""}
                        </button>
                        <button type="button" class="secondary" onClick={() => setConfirm(null)}>
                          Keep it
                        </button>
                      </span>
                    ) : (
                      <button type="button" class="danger" onClick={() => setConfirm(k.id)}>
                        Revoke…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Main>
  );
}
