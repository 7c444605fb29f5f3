/**
 * Runs the SST app (sst.config.ts → infra/) offline under Pulumi's unit-testing mocks and records every
 * resource it would create, with the inputs AWS would receive. Needs the platform `npm run sst:install`
 * writes to .sst/ (SST's component sources and its Pulumi SDK and providers).
 *
 * What SST's CLI normally provides is rebuilt here from its sources (sst/sst):
 * - the globals of the bundled program (pkg/project/stack.go, `js.Build` Define/Inject/Globals):
 *   `$app`, `$cli`, `$dev`, the shim's `$util`, `$interpolate`, `$resolve`… (platform/src/shim/run.js),
 *   the providers (`aws`) and `sst` (platform/src/components);
 * - the program's entry, `run(mod.run)` from platform/src/auto/run.ts, inside a Pulumi stack;
 * - the CLI's RPC server (platform/src/components/rpc/rpc.ts posts to $SST_SERVER/rpc):
 *   `Provider.Aws.Bootstrap` answers the asset bucket, and `Runtime.Build` resolves a handler the way
 *   the Node runtime does (pkg/runtime/node/node.go `getFile`: the handler's path with .ts, .tsx, .mts,
 *   .cts, .js, .jsx, .mjs or .cjs; "Handler not found: …" otherwise) and checks the file exports the
 *   handler's function. Problems are recorded rather than thrown so one test sees all of them.
 * Invokes (getRegion, getCallerIdentity, getPartition, getPolicyDocument) answer like AWS and the
 * provider would; any other invoke is an error, so a new dependency on AWS lookups is noticed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = path.resolve(import.meta.dirname, "..");
const PLATFORM = path.join(ROOT, ".sst", "platform");
const ACCOUNT = "123456789012";

/** A module of SST's platform, loaded by path so the type-checker does not compile SST's own sources. */
const platform = (relative: string): Promise<Json> => import(pathToFileURL(path.join(PLATFORM, relative)).href);

/** True when `npm run sst:install` has written SST's platform (the mocks need its sources and Pulumi SDK). */
export const sstPlatformInstalled = () =>
  existsSync(path.join(PLATFORM, "src", "components", "index.ts")) &&
  existsSync(path.join(PLATFORM, "node_modules", "@pulumi", "aws", "index.js"));

export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
}
export interface MockedDeployment {
  resources: MockedResource[];
  outputs: Record<string, unknown>;
  /** Handlers SST would bundle, and what its build would refuse about them. */
  handlers: string[];
  handlerProblems: string[];
  /** All resources of a type, or the one with a logical name (an error names what exists when it is missing). */
  all(type: string): MockedResource[];
  one(type: string, name: string): MockedResource;
}

type Json = Record<string, unknown>;

/** Deploy a stage to a region under mocks. Run one deployment per process: Pulumi's mock state is global. */
export async function deployUnderMocks(o: { stage: string; region?: string }): Promise<MockedDeployment> {
  if (!sstPlatformInstalled()) throw new Error("SST's platform is not installed: run `npm run sst:install` first");
  const region = o.region ?? "us-east-1";
  const work = mkdtempSync(path.join(tmpdir(), "genq-sst-"));
  const handlers: string[] = [];
  const handlerProblems: string[] = [];
  const server = await rpcServer(work, handlers, handlerProblems);
  const previousServer = process.env.SST_SERVER;
  process.env.SST_SERVER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const pulumi = (await platform(
      "node_modules/@pulumi/pulumi/index.js",
    )) as unknown as typeof import("../.sst/platform/node_modules/@pulumi/pulumi/index.js");
    const g = globalThis as Json;
    Object.assign(g, await platform("src/shim/run.js"));
    const config = (await import("../sst.config.ts")).default as unknown as {
      app(input: { stage: string }): Json;
      run(): Promise<Json>;
    };
    g.$app = { ...config.app({ stage: o.stage }), stage: o.stage, providers: {} };
    g.$cli = {
      command: "deploy",
      dev: false,
      paths: { home: work, root: ROOT, work, platform: PLATFORM },
      state: { version: {} },
    };
    g.$dev = false;
    g.aws = await platform("node_modules/@pulumi/aws/index.js");

    const resources: MockedResource[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          const state = mockState(a.type, a.name, a.inputs as Json, region);
          resources.push({ type: a.type, name: a.name, inputs: a.inputs as Json, state });
          return { id: `${a.name}-id`, state };
        },
        call: (a) => mockInvoke(a.token, a.inputs as Json, region),
      },
      "genq",
      o.stage,
      false,
    );
    g.sst = await platform("src/components/index.ts");
    const { run } = (await platform("src/auto/run.ts")) as { run(program: () => Promise<Json>): Promise<Json> };
    // A failing program is caught inside the stack and rethrown after it: the stack's own outputs then
    // resolve, instead of rejecting again with nobody listening (the CLI would report it once too).
    let failure: unknown;
    const outputs = ((await pulumi.runtime.runInPulumiStack(() =>
      run(config.run).catch((e: unknown) => ((failure = e), {})),
    )) ?? {}) as Json;
    if (failure) throw failure;
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const all = (type: string) => resources.filter((r) => r.type === type);
    const one = (type: string, name: string) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found)
        throw new Error(
          `no ${type} named ${name}; there are: ${
            all(type)
              .map((r) => r.name)
              .join(", ") || "none"
          }`,
        );
      return found;
    };
    return { resources, outputs, handlers, handlerProblems, all, one };
  } finally {
    server.close();
    if (previousServer === undefined) delete process.env.SST_SERVER;
    else process.env.SST_SERVER = previousServer;
    rmSync(work, { recursive: true, force: true });
  }
}

const NODE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** The SST CLI's RPC server, as far as a deploy of this app needs it. */
async function rpcServer(work: string, handlers: string[], problems: string[]) {
  const build = (handler: string) => {
    handlers.push(handler);
    const dir = path.dirname(handler);
    const parts = path.basename(handler).split(".");
    const exported = parts.pop() ?? "";
    const file = NODE_EXTENSIONS.map((ext) => path.join(ROOT, dir, parts.join(".") + ext)).find((f) => existsSync(f));
    if (!file) problems.push(`Handler not found: ${handler}`);
    else if (
      !new RegExp(
        `export\\s+(?:const|let|var|(?:async\\s+)?function\\*?)\\s+${exported}\\b|export\\s*\\{[^}]*\\b${exported}\\b[^}]*\\}`,
      ).test(readFileSync(file, "utf8"))
    ) {
      problems.push(`${path.relative(ROOT, file)} does not export "${exported}"`);
    }
    const out = mkdtempSync(path.join(work, "out-"));
    writeFileSync(path.join(out, "index.mjs"), `export const ${exported || "handler"} = async () => {};\n`);
    return { handler: `index.${exported}`, out, errors: [], sourcemaps: [] };
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const { method, params } = JSON.parse(body) as { method: string; params: Json[] };
      const input = params[0] ?? {};
      let result: unknown;
      if (method === "Provider.Aws.Bootstrap")
        result = {
          asset: `sst-asset-${ACCOUNT}`,
          assetEcrRegistryId: ACCOUNT,
          assetEcrUrl: `${ACCOUNT}.dkr.ecr.${String(input.region)}.amazonaws.com/sst-asset`,
          state: `sst-state-${ACCOUNT}`,
          appsyncHttp: "",
          appsyncRealtime: "",
        };
      else if (method === "Runtime.Build") result = build(String(input.handler));
      else return res.end(JSON.stringify({ error: `rpc: can't find method ${method}` }));
      res.end(JSON.stringify({ result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return server;
}

/** The outputs AWS would report for a created resource: its inputs plus names, ARNs and endpoints. */
function mockState(type: string, logical: string, inputs: Json, region: string): Json {
  const name = String(
    inputs.name ??
      (inputs.namePrefix ? `${String(inputs.namePrefix)}20260101000000000000000001` : `${logical.toLowerCase()}-mock`),
  );
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:cloudwatch/eventRule:EventRule":
      return { ...inputs, name, arn: arn("events", `rule/${name}`) };
    case "aws:cloudwatch/eventBus:EventBus":
      return { ...inputs, name, arn: arn("events", `event-bus/${name}`) };
    case "aws:lambda/function:Function":
      return {
        ...inputs,
        name,
        arn: arn("lambda", `function:${name}`),
        qualifiedArn: arn("lambda", `function:${name}:$LATEST`),
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn("lambda", `function:${name}`)}/invocations`,
      };
    case "aws:sqs/queue:Queue":
      return { ...inputs, name, arn: arn("sqs", name), url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${name}` };
    case "aws:iam/role:Role":
      return { ...inputs, name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = String(inputs.bucket ?? name);
      return { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com` };
    }
    case "aws:dynamodb/table:Table":
      return { ...inputs, name, arn: arn("dynamodb", `table/${name}`) };
    case "aws:opensearch/domain:Domain": {
      const domain = String(inputs.domainName ?? name);
      return {
        ...inputs,
        domainName: domain,
        arn: arn("es", `domain/${domain}`),
        endpoint: `search-${domain}-mock.${region}.es.amazonaws.com`,
      };
    }
    case "aws:apigatewayv2/api:Api":
      return {
        ...inputs,
        name,
        apiEndpoint: `https://mockapi.execute-api.${region}.amazonaws.com`,
        executionArn: arn("execute-api", "mockapi"),
      };
    case "aws:sagemaker/model:Model":
      return { ...inputs, name, arn: arn("sagemaker", `model/${name}`) };
    case "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
      return { ...inputs, name, arn: arn("sagemaker", `endpoint-config/${name}`) };
    case "aws:sagemaker/endpoint:Endpoint":
      return { ...inputs, name, arn: arn("sagemaker", `endpoint/${name}`) };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `mock-password-${logical}` };
    case "random:index/randomBytes:RandomBytes":
      return {
        ...inputs,
        base64: Buffer.alloc(Number(inputs.length ?? 32), 7).toString("base64"),
        hex: Buffer.alloc(Number(inputs.length ?? 32), 7).toString("hex"),
      };
    default:
      return { ...inputs, name, arn: arn(type.split(":")[1]?.split("/")[0] ?? "mock", `${logical}`) };
  }
}

/** Invokes the program makes, answered as AWS (and the provider's policy-document data source) would. */
function mockInvoke(token: string, inputs: Json, region: string): Json {
  switch (token) {
    case "aws:index/getRegion:getRegion":
      return { id: region, region, name: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "AIDATEST" };
    case "aws:index/getPartition:getPartition":
      return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return { ...inputs, json: JSON.stringify(policyDocument(inputs)) };
    default:
      throw new Error(`unexpected invoke ${token}: answer it in infra/sst-mocks.ts if the program now needs it`);
  }
}

/**
 * aws_iam_policy_document's JSON (hashicorp/terraform-provider-aws, data source iam_policy_document):
 * single values collapse to a string, effect defaults to Allow, principals group by type, conditions by
 * test then variable.
 */
function policyDocument(inputs: Json): Json {
  const one = (v: unknown) => (Array.isArray(v) && v.length === 1 ? v[0] : v);
  const statements = (inputs.statements as Json[] | undefined) ?? [];
  return {
    Version: "2012-10-17",
    Statement: statements.map((st) => {
      const out: Json = {};
      if (st.sid) out.Sid = st.sid;
      out.Effect = st.effect ?? "Allow";
      if (st.actions) out.Action = one(st.actions);
      if (st.resources) out.Resource = one(st.resources);
      const principals = st.principals as Array<{ type: string; identifiers: string[] }> | undefined;
      if (principals?.length) out.Principal = Object.fromEntries(principals.map((p) => [p.type, one(p.identifiers)]));
      const conditions = st.conditions as Array<{ test: string; variable: string; values: string[] }> | undefined;
      if (conditions?.length) {
        const c: Record<string, Json> = {};
        for (const k of conditions) (c[k.test] ??= {})[k.variable] = one(k.values);
        out.Condition = c;
      }
      return out;
    }),
  };
}
