import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenSearchError, illegalArgument, indexNotFound, parsing, shardFailure } from "./opensearch-errors.ts";
import { createEvaluator, highlight, type FieldMapping } from "./opensearch-query.ts";
import { hybridSearch, validatePipeline, type Pipeline } from "./opensearch-hybrid.ts";

type Json = Record<string, unknown>;
interface Index {
  name: string;
  uuid: string;
  fields: Record<string, FieldMapping>;
  meta: Json;
  settings: Json;
  docs: Map<string, Json>;
  visible: Map<string, Json>;
  timer?: NodeJS.Timeout;
}

const FIELD_TYPES = new Set([
  "text",
  "keyword",
  "integer",
  "long",
  "float",
  "double",
  "boolean",
  "date",
  "knn_vector",
  "object",
]);
// MetadataCreateIndexService.validateIndexOrAliasName: lower case, no leading _ - +, none of \ / * ? " < > | space , #.
const validName = (name: string) =>
  name === name.toLowerCase() && !/^[_+-]/.test(name) && !/[\\/*?"<>| ,#]/.test(name) && name.length > 0;

/**
 * An OpenSearch stand-in on a local HTTP server for the real @opensearch-project/opensearch client:
 * index creation with mappings, bulk, refresh, BM25 / k-NN / hybrid search, search pipelines and alias
 * swaps, with the refusals OpenSearch gives (each cites its source where it is raised). Documents become
 * searchable on refresh or after the refresh interval, as in OpenSearch (default 1 s). With `users`, every
 * request needs HTTP basic auth as one of them, as a domain with fine-grained access control does: no
 * credentials is 401, a SigV4-signed request from an unmapped role is 403 security_exception.
 */
export async function startOpenSearchStandIn(o: { users?: Record<string, string>; refreshIntervalMs?: number } = {}) {
  const indices = new Map<string, Index>();
  const aliases = new Map<string, Set<string>>();
  const pipelines = new Map<string, Pipeline>();
  const requests: Array<{ method: string; path: string }> = [];

  const mustIndex = (name: string) => {
    const index = indices.get(name);
    if (!index) throw indexNotFound(name);
    return index;
  };
  const resolve = (target: string): Index[] => {
    if (indices.has(target)) return [indices.get(target)!];
    const members = aliases.get(target);
    if (members?.size) return [...members].map(mustIndex);
    throw indexNotFound(target);
  };
  const refresh = (index: Index) => {
    clearTimeout(index.timer);
    index.timer = undefined;
    index.visible = new Map(index.docs);
  };
  const scheduleRefresh = (index: Index) => {
    if (!index.timer) index.timer = setTimeout(() => refresh(index), o.refreshIntervalMs ?? 1000).unref();
  };
  const mappingOf = (properties: Json, prefix = ""): Record<string, FieldMapping> => {
    const out: Record<string, FieldMapping> = {};
    for (const [name, raw] of Object.entries(properties ?? {})) {
      const m = raw as Json;
      const type = String(m.type ?? (m.properties ? "object" : ""));
      if (!FIELD_TYPES.has(type))
        throw new OpenSearchError(
          400,
          "mapper_parsing_exception",
          `No handler for type [${type}] declared on field [${prefix}${name}]`,
        );
      // KNNVectorFieldMapper.TypeParser: dimension is required and must be a positive integer.
      if (type === "knn_vector" && !(Number.isInteger(m.dimension) && (m.dimension as number) > 0))
        throw new OpenSearchError(
          400,
          "mapper_parsing_exception",
          `Dimension value missing for vector: ${prefix}${name}`,
        );
      out[prefix + name] = {
        type,
        analyzer: m.analyzer as string | undefined,
        dimension: m.dimension as number | undefined,
        method: m.method as FieldMapping["method"],
      };
    }
    return out;
  };
  const createIndex = (name: string, body: Json) => {
    if (!validName(name))
      throw new OpenSearchError(
        400,
        "invalid_index_name_exception",
        `Invalid index name [${name}], must be lowercase and must not contain \\, /, *, ?, ", <, >, |, space, comma or #`,
        { index: name },
      );
    if (indices.has(name) || aliases.has(name))
      throw new OpenSearchError(
        400,
        "resource_already_exists_exception",
        `index [${name}/${indices.get(name)?.uuid ?? "_na_"}] already exists`,
        { index: name },
      );
    const mappings = (body.mappings ?? {}) as Json;
    const index: Index = {
      name,
      uuid: randomUUID(),
      fields: mappingOf(mappings.properties as Json),
      meta: (mappings._meta ?? {}) as Json,
      settings: (body.settings ?? {}) as Json,
      docs: new Map(),
      visible: new Map(),
    };
    indices.set(name, index);
    return index;
  };
  /** Dynamic mapping for a field never mapped (the index was auto-created by a bulk, or the field is new). */
  const dynamicType = (value: unknown): FieldMapping | null =>
    typeof value === "string"
      ? { type: "text" }
      : typeof value === "number"
        ? { type: Number.isInteger(value) ? "long" : "float" }
        : typeof value === "boolean"
          ? { type: "boolean" }
          : Array.isArray(value) && value.length && value.every((v) => typeof v === "number")
            ? { type: "float" }
            : null;
  const indexDoc = (index: Index, id: string, doc: Json) => {
    for (const [field, value] of Object.entries(doc)) {
      const mapping = index.fields[field] ?? dynamicType(value);
      if (!mapping) continue;
      index.fields[field] ??= mapping;
      if (mapping.type === "knn_vector") {
        // KNNValidationUtil.validateVectorDimension, raised while parsing the document.
        const given = Array.isArray(value) ? value.length : 0;
        if (!Array.isArray(value) || given !== mapping.dimension || !value.every((v) => typeof v === "number")) {
          throw new OpenSearchError(
            400,
            "mapper_parsing_exception",
            `failed to parse field [${field}] of type [knn_vector] in document with id '${id}'.`,
            {},
            new OpenSearchError(
              400,
              "illegal_argument_exception",
              `Vector dimension mismatch. Expected: ${mapping.dimension}, Given: ${given}`,
            ),
          );
        }
      }
      // KNNValidationUtil (opensearch-project/k-NN PR #1501): a zero vector has no cosine.
      if (
        mapping.type === "knn_vector" &&
        mapping.method?.space_type === "cosinesimil" &&
        (value as number[]).every((v) => v === 0)
      )
        throw new OpenSearchError(
          400,
          "mapper_parsing_exception",
          `failed to parse field [${field}] of type [knn_vector] in document with id '${id}'. Preview of field's value: 'null'`,
          {},
          new OpenSearchError(
            400,
            "illegal_argument_exception",
            "zero vector is not supported when space type is [cosinesimil]",
          ),
        );
      if (["integer", "long"].includes(mapping.type) && value !== null && !Number.isInteger(Number(value))) {
        throw new OpenSearchError(
          400,
          "mapper_parsing_exception",
          `failed to parse field [${field}] of type [${mapping.type}] in document with id '${id}'.`,
        );
      }
    }
    const created = !index.docs.has(id);
    index.docs.set(id, doc);
    scheduleRefresh(index);
    return created;
  };
  const bulk = (lines: Json[], defaultIndex: string | undefined, refreshNow: boolean) => {
    const items: Json[] = [];
    const touched = new Set<Index>();
    for (let i = 0; i < lines.length; i++) {
      const [action, meta] = Object.entries(lines[i]!)[0] ?? [];
      if (!action || !["index", "create", "delete"].includes(action))
        throw illegalArgument(
          `Malformed action/metadata line [${i + 1}], expected one of [create, delete, index, update] but found [${action}]`,
        );
      const m = meta as { _index?: string; _id?: string };
      const name = m._index ?? defaultIndex;
      if (!name)
        throw new OpenSearchError(
          400,
          "action_request_validation_exception",
          "Validation Failed: 1: index is missing;",
        );
      const id = m._id ?? randomUUID();
      const doc = action === "delete" ? undefined : lines[++i];
      try {
        // action.auto_create_index defaults to true: a bulk into a missing index creates it with dynamic mapping.
        const index = indices.get(name) ?? (aliases.has(name) ? resolve(name)[0]! : createIndex(name, {}));
        touched.add(index);
        if (action === "delete") {
          const found = index.docs.delete(id);
          scheduleRefresh(index);
          items.push({
            delete: { _index: index.name, _id: id, status: found ? 200 : 404, result: found ? "deleted" : "not_found" },
          });
          continue;
        }
        if (!doc) throw illegalArgument("The bulk request must be terminated by a newline [\\n]");
        if (action === "create" && index.docs.has(id))
          throw new OpenSearchError(
            409,
            "version_conflict_engine_exception",
            `[${id}]: version conflict, document already exists`,
          );
        const created = indexDoc(index, id, doc);
        items.push({
          [action]: {
            _index: index.name,
            _id: id,
            status: created ? 201 : 200,
            result: created ? "created" : "updated",
          },
        });
      } catch (error) {
        if (!(error instanceof OpenSearchError)) throw error;
        const { error: body } = error.body();
        items.push({
          [action]: {
            _index: name,
            _id: id,
            status: error.status,
            error: {
              type: body.type,
              reason: body.reason,
              ...(error.cause_ ? { caused_by: { type: error.cause_.type, reason: error.cause_.message } } : {}),
            },
          },
        });
      }
    }
    if (refreshNow) touched.forEach(refresh);
    return { took: 1, errors: items.some((it) => Object.values(it).some((v) => (v as Json).error)), items };
  };

  /**
   * A composite aggregation of terms sources (opensearch.org/docs/latest/aggregations/bucket/composite/):
   * buckets for every combination of the sources' values in ascending order, `size` at a time after
   * `after`; documents missing a value are left out unless its source asks for `missing_bucket` (null key,
   * first). `after_key` is the last bucket's key.
   */
  const composite = (docs: Json[], spec: Json) => {
    const sources = (spec.sources as Json[]).map((s) => {
      const [name, def] = Object.entries(s)[0]!;
      const terms = (def as Json).terms as Json | undefined;
      if (!terms) throw illegalArgument(`composite source [${name}] must be a terms source here`);
      return { name, field: String(terms.field), missing: terms.missing_bucket === true };
    });
    const keys = new Map<string, Record<string, string | null>>();
    for (const doc of docs) {
      let combos: Array<Record<string, string | null>> = [{}];
      for (const src of sources) {
        const values = asList(doc[src.field]).map(String);
        if (!values.length && !src.missing) combos = [];
        combos = combos.flatMap((c) => (values.length ? values : [null]).map((v) => ({ ...c, [src.name]: v })));
      }
      for (const c of combos) keys.set(JSON.stringify(sources.map((s) => c[s.name])), c);
    }
    const cmp = (a: Record<string, string | null>, b: Record<string, string | null>) => {
      for (const s of sources) {
        const x = a[s.name] ?? null,
          y = b[s.name] ?? null;
        if (x === y) continue;
        if (x === null) return -1;
        if (y === null) return 1;
        return x < y ? -1 : 1;
      }
      return 0;
    };
    const after = spec.after as Record<string, string | null> | undefined;
    const sorted = [...keys.values()].sort(cmp).filter((k) => !after || cmp(k, after) > 0);
    const page = sorted.slice(0, Number(spec.size ?? 10));
    const count = (k: Record<string, string | null>) =>
      docs.filter((d) =>
        sources.every((s) =>
          k[s.name] === null ? !asList(d[s.field]).length : asList(d[s.field]).map(String).includes(k[s.name]!),
        ),
      ).length;
    return {
      ...(page.length ? { after_key: page[page.length - 1] } : {}),
      buckets: page.map((key) => ({ key, doc_count: count(key) })),
    };
  };
  const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
  /** The ids a query matches in an index's refreshed documents. */
  const matching = (index: Index, query: Json) =>
    createEvaluator({
      name: index.name,
      fields: index.fields,
      docs: [...index.visible].map(([id, source]) => ({ id, source })),
    }).evaluate(query);

  const search = (target: string, body: Json, pipelineId: string | undefined) => {
    // SearchPipelineService.resolvePipeline: a named pipeline that does not exist is refused before the search.
    const pipeline = pipelineId ? pipelines.get(pipelineId) : undefined;
    if (pipelineId && !pipeline) throw illegalArgument(`Pipeline ${pipelineId} is not defined`);
    const targets = resolve(target);
    const size = Number(body.size ?? 10);
    const query = (body.query ?? { match_all: {} }) as Json;
    const hits: Array<{ index: Index; id: string; score: number; terms: Map<string, Set<string>> }> = [];
    for (const index of targets) {
      const evaluator = createEvaluator({
        name: index.name,
        fields: index.fields,
        docs: [...index.visible].map(([id, source]) => ({ id, source })),
      });
      let scores: Map<string, number>;
      try {
        scores =
          "hybrid" in query ? hybridSearch(evaluator, query.hybrid as Json, size, pipeline) : evaluator.evaluate(query);
      } catch (error) {
        if (error instanceof OpenSearchError && error.type === "illegal_argument_exception")
          throw shardFailure(index.name, error);
        throw error;
      }
      const terms = evaluator.textTerms(query);
      for (const [id, score] of scores) hits.push({ index, id, score, terms });
    }
    hits.sort((a, b) => b.score - a.score);
    const source = body._source as { excludes?: string[]; includes?: string[] } | boolean | undefined;
    const hl = body.highlight as
      { fields?: Record<string, { fragment_size?: number }>; pre_tags?: string[]; post_tags?: string[] } | undefined;
    const page = hits.slice(Number(body.from ?? 0), Number(body.from ?? 0) + size);
    const aggs = Object.entries((body.aggs ?? body.aggregations ?? {}) as Json).map(([name, spec]) => {
      const c = (spec as Json).composite as Json | undefined;
      if (!c) throw illegalArgument(`aggregation [${name}]: only composite aggregations are supported here`);
      return [
        name,
        composite(
          hits.map((h) => h.index.visible.get(h.id)!),
          c,
        ),
      ] as const;
    });
    return {
      ...(aggs.length ? { aggregations: Object.fromEntries(aggs) } : {}),
      took: 1,
      timed_out: false,
      _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 },
      hits: {
        total: { value: hits.length, relation: "eq" },
        max_score: hits[0]?.score ?? null,
        hits: page.map((h) => {
          const doc = h.index.visible.get(h.id)!;
          const filtered =
            source === false
              ? undefined
              : Object.fromEntries(
                  Object.entries(doc).filter(
                    ([k]) =>
                      typeof source !== "object" ||
                      ((!source.includes || source.includes.includes(k)) && !(source.excludes ?? []).includes(k)),
                  ),
                );
          const fragments = Object.fromEntries(
            Object.entries(hl?.fields ?? {}).flatMap(([field, f]) => {
              const text = doc[field];
              const frag =
                typeof text === "string"
                  ? highlight(text, h.terms.get(field) ?? new Set(), h.index.fields[field]?.analyzer, {
                      size: f.fragment_size ?? 100,
                      pre: hl?.pre_tags?.[0] ?? "<em>",
                      post: hl?.post_tags?.[0] ?? "</em>",
                    })
                  : null;
              return frag ? [[field, [frag]]] : [];
            }),
          );
          return {
            _index: h.index.name,
            _id: h.id,
            _score: h.score,
            ...(filtered ? { _source: filtered } : {}),
            ...(Object.keys(fragments).length ? { highlight: fragments } : {}),
          };
        }),
      },
    };
  };

  const updateAliases = (body: Json) => {
    const actions = body.actions;
    if (!Array.isArray(actions) || !actions.length)
      throw new OpenSearchError(
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: No action specified;",
      );
    const plan: Array<() => void> = [];
    const named: string[] = [];
    for (const raw of actions as Json[]) {
      const [type, spec] = Object.entries(raw)[0] ?? [];
      if (Object.keys(raw).length !== 1 || !["add", "remove", "remove_index"].includes(type ?? ""))
        throw parsing(`[aliases] unknown field [${Object.keys(raw).join(",")}]`);
      const s = spec as { index?: string; alias?: string };
      if (!s.index)
        throw new OpenSearchError(
          400,
          "action_request_validation_exception",
          "Validation Failed: 1: One of [index] or [indices] is required;",
        );
      const index = mustIndex(s.index);
      if (type === "remove_index") {
        plan.push(() => indices.delete(index.name));
        continue;
      }
      if (!s.alias)
        throw new OpenSearchError(
          400,
          "action_request_validation_exception",
          "Validation Failed: 1: One of [alias] or [aliases] is required;",
        );
      named.push(s.alias);
      if (type === "add") {
        if (indices.has(s.alias))
          throw new OpenSearchError(
            400,
            "invalid_alias_name_exception",
            `Invalid alias name [${s.alias}]: an index or data stream exists with the same name as the alias`,
          );
        plan.push(() => aliases.set(s.alias!, new Set([...(aliases.get(s.alias!) ?? []), index.name])));
      } else if (aliases.get(s.alias)?.has(index.name)) {
        plan.push(() => aliases.get(s.alias!)!.delete(index.name));
      }
    }
    // TransportIndicesAliasesAction: actions that resolve to nothing at all are AliasesNotFoundException.
    if (!plan.length)
      throw new OpenSearchError(404, "aliases_not_found_exception", `aliases [${named.join(",")}] missing`, {
        "resource.type": "aliases",
        "resource.id": named.join(","),
      });
    plan.forEach((apply) => apply());
    for (const [alias, members] of aliases) if (!members.size) aliases.delete(alias);
    return { acknowledged: true };
  };

  const route = (
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
  ): { status?: number; body: unknown } | undefined => {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const json = (body ?? {}) as Json;
    const [a, b, c] = parts;
    if (a === "_search" && b === "pipeline" && c) {
      if (method === "PUT") return (pipelines.set(c, validatePipeline(json)), { body: { acknowledged: true } });
      if (method === "GET")
        return pipelines.has(c) ? { body: { [c]: pipelines.get(c)!.definition } } : { status: 404, body: {} };
      if (method === "DELETE")
        return pipelines.delete(c)
          ? { body: { acknowledged: true } }
          : { status: 404, body: { error: `pipeline [${c}] is missing`, status: 404 } };
    }
    if (a === "_bulk" || b === "_bulk")
      return {
        body: bulk(body as Json[], b ? a : undefined, ["true", "wait_for"].includes(query.get("refresh") ?? "")),
      };
    if (a === "_aliases" && method === "POST") return { body: updateAliases(json) };
    if (a === "_alias" && b) {
      const members = aliases.get(b);
      if (!members)
        return method === "HEAD"
          ? { status: 404, body: "" }
          : { status: 404, body: { error: `alias [${b}] missing`, status: 404 } };
      return { body: Object.fromEntries([...members].map((i) => [i, { aliases: { [b]: {} } }])) };
    }
    if (a === "_refresh" || b === "_refresh")
      return (
        (b ? [mustIndex(a!)] : [...indices.values()]).forEach(refresh),
        { body: { _shards: { total: 1, successful: 1, failed: 0 } } }
      );
    if (b === "_search") return { body: search(a!, json, query.get("search_pipeline") ?? undefined) };
    if (b === "_count") {
      const q = (json.query ?? { match_all: {} }) as Json;
      return {
        body: {
          count: resolve(a!).reduce((n, index) => n + matching(index, q).size, 0),
          _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        },
      };
    }
    if (b === "_delete_by_query" && method === "POST") {
      // Delete by query deletes what a refresh made visible and refreshes afterwards only when asked
      // (opensearch.org/docs/latest/api-reference/document-apis/delete-by-query/).
      if (!json.query)
        throw new OpenSearchError(
          400,
          "action_request_validation_exception",
          "Validation Failed: 1: query is missing;",
        );
      let deleted = 0;
      for (const index of resolve(a!)) {
        for (const id of matching(index, json.query as Json).keys()) {
          if (index.docs.delete(id)) deleted++;
        }
        if (["true", "wait_for"].includes(query.get("refresh") ?? "")) refresh(index);
        else scheduleRefresh(index);
      }
      return {
        body: {
          took: 1,
          timed_out: false,
          total: deleted,
          deleted,
          batches: 1,
          version_conflicts: 0,
          noops: 0,
          failures: [],
        },
      };
    }
    if (b === "_mapping" && method === "GET") {
      const index = mustIndex(a!);
      return {
        body: {
          [index.name]: {
            mappings: {
              _meta: index.meta,
              properties: Object.fromEntries(
                Object.entries(index.fields).map(([k, f]) => [
                  k,
                  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)),
                ]),
              ),
            },
          },
        },
      };
    }
    if (b === "_alias" && method === "GET") {
      const index = mustIndex(a!);
      return {
        body: {
          [index.name]: {
            aliases: Object.fromEntries(
              [...aliases].filter(([, m]) => m.has(index.name)).map(([alias]) => [alias, {}]),
            ),
          },
        },
      };
    }
    if (a && !b && !a.startsWith("_")) {
      if (method === "HEAD") return { status: indices.has(a) || aliases.has(a) ? 200 : 404, body: "" };
      if (method === "PUT")
        return (createIndex(a, json), { body: { acknowledged: true, shards_acknowledged: true, index: a } });
      if (method === "DELETE") {
        if (!indices.has(a))
          return query.get("ignore_unavailable") === "true"
            ? { body: { acknowledged: true } }
            : (() => {
                throw indexNotFound(a);
              })();
        indices.delete(a);
        for (const members of aliases.values()) members.delete(a);
        return { body: { acknowledged: true } };
      }
    }
    if (!a && method === "GET")
      return {
        body: {
          name: "standin",
          cluster_name: "genq",
          version: { distribution: "opensearch", number: "2.19.0" },
          tagline: "The OpenSearch Project: https://opensearch.org/",
        },
      };
    return undefined;
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await new Promise<string>((ok) => {
      let s = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (s += c));
      req.on("end", () => ok(s));
    });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
      res.end(
        req.method === "HEAD" || payload === ""
          ? undefined
          : typeof payload === "string"
            ? payload
            : JSON.stringify(payload),
      );
    };
    const url = new URL(req.url ?? "/", "http://standin");
    requests.push({ method: req.method ?? "GET", path: url.pathname });
    if (o.users) {
      const auth = String(req.headers.authorization ?? "");
      if (auth.startsWith("AWS4-HMAC-SHA256")) {
        const reason = `no permissions for [indices:data/read/search] and User [name=arn:aws:iam::123456789012:role/genq-function, backend_roles=[arn:aws:iam::123456789012:role/genq-function], requestedTenant=null]`;
        return send(403, {
          error: { root_cause: [{ type: "security_exception", reason }], type: "security_exception", reason },
          status: 403,
        });
      }
      const [user, password] = auth.startsWith("Basic ")
        ? Buffer.from(auth.slice(6), "base64").toString("utf8").split(/:(.*)/s)
        : [];
      if (!user || o.users[user] !== password)
        return send(401, "Unauthorized", {
          "www-authenticate": 'Basic realm="OpenSearch Security"',
          "content-type": "text/plain; charset=UTF-8",
        });
    }
    try {
      const body = !raw.trim()
        ? undefined
        : /_bulk$/.test(url.pathname)
          ? raw
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l))
          : JSON.parse(raw);
      const out = route(req.method ?? "GET", url.pathname, url.searchParams, body);
      if (!out)
        return send(405, {
          error: `Incorrect HTTP method for uri [${url.pathname}] and method [${req.method}]`,
          status: 405,
        });
      send(out.status ?? 200, out.body);
    } catch (error) {
      if (error instanceof OpenSearchError) return send(error.status, error.body());
      if (error instanceof SyntaxError)
        return send(400, {
          error: {
            root_cause: [{ type: "parse_exception", reason: error.message }],
            type: "parse_exception",
            reason: error.message,
          },
          status: 400,
        });
      send(500, { error: { type: "exception", reason: (error as Error).message }, status: 500 });
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    /** Index names, and what each alias points at (for assertions). */
    state: () => ({
      indices: [...indices.keys()].sort(),
      aliases: Object.fromEntries([...aliases].map(([a, m]) => [a, [...m].sort()])),
      pipelines: [...pipelines.keys()],
    }),
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
export type OpenSearchStandIn = Awaited<ReturnType<typeof startOpenSearchStandIn>>;
