/**
 * Prepared development collections (signals of every held-out and real query under one setting) kept in
 * bench/.cache/prepared, so that calibration and gate rules can be compared without retraining. The file
 * name carries a hash of the setting and of the model and query-generation code's defaults it ran with.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fnv1a } from "@genq/core";
import { CACHE_DIR, loadDevCollection } from "./dev-collections.ts";
import { prepareCollection, type PreparedCollection, type Setting } from "./dev-signals.ts";

type Stored = Omit<PreparedCollection, "heldout" | "real"> & {
  heldout: Record<
    string,
    Array<Omit<PreparedCollection["real"]["test"][number], "judgments"> & { judgments: Array<[string, number]> }>
  >;
  real: Record<
    string,
    Array<Omit<PreparedCollection["real"]["test"][number], "judgments"> & { judgments: Array<[string, number]> }>
  >;
};

/** A prepared collection, from the cache when the same setting (and code version `salt`) ran before. */
export function preparedCollection(name: string, setting: Setting, salt = ""): PreparedCollection {
  const key = fnv1a(JSON.stringify({ ...setting, salt, name: undefined })).toString(16);
  const dir = join(CACHE_DIR, "prepared");
  const file = join(dir, `${name}-${setting.name}-${key}.json`);
  if (existsSync(file) && !process.env.FRESH) {
    const s = JSON.parse(readFileSync(file, "utf8")) as Stored;
    const revive = (qs: Stored["real"][string]) => qs.map((q) => ({ ...q, judgments: new Map(q.judgments) }));
    return {
      ...s,
      heldout: { validation: revive(s.heldout.validation!), test: revive(s.heldout.test!) },
      real: { validation: revive(s.real.validation!), test: revive(s.real.test!) },
    };
  }
  const p = prepareCollection(loadDevCollection(name), setting);
  mkdirSync(dir, { recursive: true });
  const store = (qs: PreparedCollection["real"]["test"]) => qs.map((q) => ({ ...q, judgments: [...q.judgments] }));
  writeFileSync(
    file,
    JSON.stringify({
      ...p,
      heldout: { validation: store(p.heldout.validation), test: store(p.heldout.test) },
      real: { validation: store(p.real.validation), test: store(p.real.test) },
    }),
  );
  return p;
}
