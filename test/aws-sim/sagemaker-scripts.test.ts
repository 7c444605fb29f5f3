import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StaticModel, bucketIdf } from "@genq/ml";
import { genqEncoderContainer } from "./model-containers.ts";
import { SIMULATED_MODEL } from "./sagemaker-training.ts";

const dir = join(import.meta.dirname, "../../sagemaker");
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const python = (args: string[], input?: string) => {
  const out = spawnSync("python3", args, {
    cwd: dir,
    input,
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  if (out.status !== 0) throw new Error(`python3 ${args.join(" ")} failed: ${out.stderr}`);
  return out.stdout;
};

// The parts of the SageMaker scripts that need no torch, run for real: the packaging train.py does
// before SageMaker tars SM_MODEL_DIR, and inference.py's handlers with a stand-in model. (Training and
// model_fn need torch, transformers and sentence-transformers: see BENCHMARKS.md.)
describe.skipIf(!hasPython)("SageMaker scripts under python3", () => {
  it("byte-compile", () => {
    python([
      "-c",
      "import sys; [compile(open(f, encoding='utf-8').read(), f, 'exec') for f in sys.argv[1:]]",
      "train.py",
      "inference.py",
    ]);
  });

  it("train.py puts inference.py and requirements.txt into the model's code/ folder", () => {
    const modelDir = mkdtempSync(join(tmpdir(), "genq-model-"));
    const out = JSON.parse(python(["train.py", "--package_only", "--model_dir", modelDir]));
    expect(out.packaged).toEqual([join(modelDir, "code/inference.py"), join(modelDir, "code/requirements.txt")]);
    for (const f of ["inference.py", "requirements.txt"])
      expect(readFileSync(join(modelDir, "code", f), "utf8")).toBe(readFileSync(join(dir, f), "utf8"));
  });

  it("inference.py answers endpoint requests and JSON-lines batches as the simulator's stand-in does", async () => {
    const driver = `
import json, sys
sys.path.insert(0, ".")
import inference
class Vec(list):
    def tolist(self): return list(self)
class Vectors(list):
    @property
    def shape(self): return (len(self), len(self[0]) if self else 0)
class Model:
    def encode(self, texts, **kw): return Vectors([Vec([float(len(t)), 1.0]) for t in texts])
    def get_sentence_embedding_dimension(self): return 2
def run(body, ctype):
    try:
        return inference.output_fn(inference.predict_fn(inference.input_fn(body, ctype), Model()), "application/json")
    except ValueError as e:
        return "ValueError: " + str(e)
cases = json.load(sys.stdin)
print(json.dumps([run(c["body"].encode() if c["bytes"] else c["body"], c["type"]) for c in cases]))
`;
    const passage = {
      id: "p1",
      corpus: "docs",
      documentId: "a.md",
      sourcePath: "a.md",
      title: "Vacuum",
      text: "VACUUM reclaims storage.",
      ordinal: 0,
    };
    const cases = [
      {
        body: JSON.stringify({ inputs: ["what is vacuum", "x"], kind: "query" }),
        type: "application/json",
        bytes: false,
      },
      {
        body: `${JSON.stringify(passage)}\n${JSON.stringify({ passageId: "p2", inputs: ["old layout"], kind: "passage" })}\n`,
        type: "application/jsonlines",
        bytes: true,
      },
      { body: JSON.stringify({ inputs: 3 }), type: "application/json", bytes: false },
      { body: "{}", type: "text/csv", bytes: false },
    ];
    const answers = JSON.parse(python(["-c", driver], JSON.stringify(cases))) as string[];
    expect(JSON.parse(answers[0]!)).toEqual({
      embeddings: [
        [14, 1],
        [1, 1],
      ],
      dimensions: 2,
    });
    const batch = answers[1]!.split("\n").map((l) => JSON.parse(l));
    expect(batch).toEqual([
      { ...passage, embedding: [31, 1] },
      { passageId: "p2", kind: "passage", embedding: [10, 1] },
    ]);
    expect(answers[2]).toBe('ValueError: "inputs" must be a string or a list of strings');
    expect(answers[3]).toMatch(/^ValueError: unsupported content type text\/csv/);

    // The simulator's stand-in answers the same requests with the same shapes and refusals.
    const model = StaticModel.initialise(SIMULATED_MODEL, bucketIdf(["vacuum reclaims storage"], SIMULATED_MODEL));
    const container = genqEncoderContainer(model);
    const stand = await Promise.all(
      cases.map(async (c) => {
        const r = await container.invoke(new TextEncoder().encode(c.body), c.type, undefined);
        return { status: r.status, text: new TextDecoder().decode(r.body) };
      }),
    );
    expect(Object.keys(JSON.parse(stand[0]!.text))).toEqual(["embeddings", "dimensions"]);
    expect(stand[1]!.text.split("\n").map((l) => Object.keys(JSON.parse(l)))).toEqual(batch.map((r) => Object.keys(r)));
    expect(stand[2]).toEqual({ status: 400, text: answers[2]!.replace("ValueError: ", "") });
    expect(stand[3]!.status).toBe(400);
    expect(answers[3]!.replace("ValueError: ", "")).toBe(stand[3]!.text);
  });
});
