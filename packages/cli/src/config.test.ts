import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
import { exposureNote, serverUrl } from "./serve.ts";

describe("where the server listens and whom browsers may call it from", () => {
  it("binds 127.0.0.1 by default, another address with GENQ_HOST, and allows no foreign origin unless told", () => {
    const plain = loadConfig({}, {});
    expect(plain.host).toBe("127.0.0.1");
    expect(plain.corsOrigins).toEqual([]);
    const open = loadConfig(
      { GENQ_HOST: "0.0.0.0", GENQ_CORS_ORIGINS: "https://app.example.com, http://localhost:5173" },
      {},
    );
    expect(open.host).toBe("0.0.0.0");
    expect(open.corsOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(loadConfig({ GENQ_HOST: "::" }, {}).host).toBe("::");
    expect(loadConfig({ GENQ_HOST: "genq.internal" }, {}).host).toBe("genq.internal");
  });

  it("reports a bad address and bad origins together, naming the variables", () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ GENQ_HOST: "not an address!", GENQ_CORS_ORIGINS: "app.example.com,https://ok.example/path" }, {});
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      "GENQ_HOST: not an address to listen on (e.g. 127.0.0.1, 0.0.0.0, ::1 or a host name)",
      'GENQ_CORS_ORIGINS: "app.example.com" is not an origin such as https://app.example.com',
      'GENQ_CORS_ORIGINS: "https://ok.example/path" is not an origin: give scheme, host and port only (https://ok.example)',
    ]);
  });

  it("prints a URL a browser can open, and says when other machines can reach the server", () => {
    expect(serverUrl("127.0.0.1", 8787)).toBe("http://127.0.0.1:8787");
    expect(serverUrl("0.0.0.0", 80)).toBe("http://127.0.0.1:80");
    expect(serverUrl("::", 8787)).toBe("http://[::1]:8787");
    expect(serverUrl("fe80::1", 1)).toBe("http://[fe80::1]:1");
    expect(exposureNote("127.0.0.1")).toBeNull();
    expect(exposureNote("0.0.0.0")).toMatch(/other machines can reach it/);
  });
});
