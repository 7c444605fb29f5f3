/**
 * Chunker throughput: genq's sentence-aware chunker against LangChain.js's RecursiveCharacterTextSplitter
 * on the same text (the shipped examples' parsed text, repeated to ~20 MB).
 * Run: npm run bench:install && npm run bench:chunker
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chunkText } from "@genq/core";
import { parseDocument } from "@genq/parsing";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";

const dir = join(import.meta.dirname, "../examples/postgresql-docs");
const sections: string[] = [];
for (const f of readdirSync(dir))
  for (const d of await parseDocument(f, readFileSync(join(dir, f)))) for (const s of d.sections) sections.push(s.text);
const unit = sections.join("\n\n");
const text = unit.repeat(Math.ceil((20 * 1024 * 1024) / unit.length));
const mb = Buffer.byteLength(text) / 1024 / 1024;

async function time(name: string, fn: () => Promise<number> | number) {
  await fn(); // warm-up
  const runs: number[] = [];
  let pieces = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    pieces = await fn();
    runs.push((performance.now() - t0) / 1000);
  }
  const best = Math.min(...runs);
  console.log(
    `${name.padEnd(48)} ${(mb / best).toFixed(1).padStart(7)} MB/s  (${pieces} chunks, best of 3: ${best.toFixed(2)} s)`,
  );
}

console.log(`text: ${mb.toFixed(1)} MB (${sections.length} sections of the shipped examples, repeated)`);
await time("genq chunkText (220 words, 1 sentence overlap)", () => chunkText(text).length);
const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1400, chunkOverlap: 150 });
await time("langchain RecursiveCharacterTextSplitter (1400/150)", async () => (await splitter.splitText(text)).length);
