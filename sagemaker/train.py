"""genq's SageMaker training entry point: fine-tune a sentence-transformers model on (query, passage) pairs.

SageMaker runs this script in the Hugging Face training container (`sagemaker_program=train.py`).
Inputs: the `train` channel (SM_CHANNEL_TRAIN) holds JSON-lines files, one pair per line:
    {"query": "...", "passage": "...", "passageId": "...", "negative": "..."}   (negative optional)
Output: the trained model in SM_MODEL_DIR, plus training_stats.json beside it and code/ holding
inference.py and requirements.txt. SageMaker packs SM_MODEL_DIR into
<OutputPath>/<job name>/output/model.tar.gz; the Hugging Face inference toolkit imports user code only
from code/ inside that archive (and pip-installs code/requirements.txt before the model server starts),
so the endpoint and the embedding transform created from the artifact run genq's handlers.

Training follows the GenQ recipe: MultipleNegativesRankingLoss over in-batch negatives (plus the mined
hard negative of a pair when --hard_negatives is set), with batches that never hold two pairs of the
same passage (a duplicate would be a false negative).

Self-test (no model hub, no SageMaker): `python3 train.py --self_test` builds a tiny randomly
initialised BERT from a config and a vocabulary made from synthetic pairs, trains a few steps, saves,
reloads and checks that the loss went down. It proves the script wherever torch and
sentence-transformers are installed.
"""

import argparse
import glob
import json
import os
import random
import shutil
import sys
import tempfile
import time

# What the model archive must carry for the inference toolkit: it puts <model_dir>/code on sys.path and
# imports inference.py from there, and installs <model_dir>/code/requirements.txt at start
# (aws/sagemaker-huggingface-inference-toolkit handler_service.py initialize();
# aws/sagemaker-inference-toolkit model_server.py REQUIREMENTS_PATH).
INFERENCE_CODE = ("inference.py", "requirements.txt")


def package_inference_code(model_dir, source_dir=None):
    """Copy inference.py and requirements.txt from this script's folder into <model_dir>/code/.

    Returns the copied paths. A missing file is an error: an archive without code/inference.py would
    be served by the toolkit's default handler, which does not speak genq's encoder protocol.
    """
    source_dir = source_dir or os.path.dirname(os.path.abspath(__file__))
    code_dir = os.path.join(model_dir, "code")
    os.makedirs(code_dir, exist_ok=True)
    copied = []
    for name in INFERENCE_CODE:
        source = os.path.join(source_dir, name)
        if not os.path.isfile(source):
            raise SystemExit(f"{name} is missing next to train.py ({source_dir}); the model archive needs it in code/")
        copied.append(shutil.copyfile(source, os.path.join(code_dir, name)))
    return copied


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base_model", default="sentence-transformers/msmarco-distilbert-base-tas-b")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch_size", type=int, default=64)
    p.add_argument("--learning_rate", type=float, default=2e-5)
    p.add_argument("--warmup_ratio", type=float, default=0.1)
    p.add_argument("--scale", type=float, default=20.0)
    p.add_argument("--max_seq_length", type=int, default=256)
    p.add_argument("--hard_negatives", type=lambda s: str(s).lower() in ("1", "true", "yes"), default=False)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--train_dir", default=os.environ.get("SM_CHANNEL_TRAIN", "train"))
    p.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    p.add_argument("--self_test", action="store_true")
    p.add_argument("--package_only", action="store_true", help="only copy the inference code into --model_dir/code (no training)")
    p.add_argument("--max_steps", type=int, default=0, help="stop after this many steps (0 = no limit)")
    # SageMaker passes every hyperparameter on the command line; ignore the ones this script does not use.
    args, _unknown = p.parse_known_args(argv)
    return args


def read_pairs(train_dir):
    """Every (query, passage[, negative]) line of the channel's .jsonl files; bad lines are reported and skipped."""
    pairs, bad = [], 0
    for path in sorted(glob.glob(os.path.join(train_dir, "**", "*.jsonl"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                    if row.get("query") and row.get("passage"):
                        pairs.append(row)
                        continue
                except json.JSONDecodeError:
                    pass
                bad += 1
    if bad:
        print(json.dumps({"warning": "skipped lines without query and passage", "count": bad}), flush=True)
    if not pairs:
        raise SystemExit(f"no training pairs found under {train_dir}")
    return pairs


def no_duplicate_batches(pairs, batch_size, rng):
    """Shuffle into batches in which no passage (nor a pair's negative) appears twice."""
    pending = pairs[:]
    rng.shuffle(pending)
    batches = []
    while pending:
        later, batch, seen = [], [], set()
        for p in pending:
            texts = {p["passage"]} | ({p["negative"]} if p.get("negative") else set())
            if texts & seen:
                later.append(p)
                continue
            seen |= texts
            batch.append(p)
            if len(batch) == batch_size:
                batches.append(batch)
                batch, seen = [], set()
        if batch:
            batches.append(batch)
        pending = later
    return batches


def tiny_random_model(pairs, workdir):
    """A 2-layer BERT with random weights and a word vocabulary built from the pairs (no download)."""
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    words = set()
    for p in pairs:
        for text in (p["query"], p["passage"]):
            words.update(text.lower().replace(".", " ").replace(",", " ").split())
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(words)
    path = os.path.join(workdir, "tiny-bert")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128, max_position_embeddings=128)
    BertModel(config).save_pretrained(path)
    BertTokenizerFast(vocab_file=os.path.join(path, "vocab.txt"), do_lower_case=True).save_pretrained(path)
    word = models.Transformer(path, max_seq_length=64)
    pooling = models.Pooling(word.get_word_embedding_dimension(), pooling_mode="mean")
    return SentenceTransformer(modules=[word, pooling])


def synthetic_pairs(n, rng):
    topics = {
        "vacuum": "vacuum reclaims storage from dead tuples and updates statistics",
        "index": "an index lets the server find rows faster than a sequential scan",
        "backup": "pg_dump writes a consistent snapshot of a database to a file",
        "replication": "streaming replication ships write ahead log records to standbys",
        "locking": "row level locks prevent concurrent updates of the same row",
        "partition": "partitioning splits a large table into smaller physical pieces",
        "trigger": "a trigger runs a function automatically when rows change",
        "sequence": "a sequence generates unique increasing numbers for keys",
    }
    out = []
    for i in range(n):
        topic, text = rng.choice(list(topics.items()))
        out.append({"query": f"what does {topic} do", "passage": f"{text} (note {i})", "passageId": f"p{i}"})
    return out


def train(model, pairs, args, device):
    import torch
    from sentence_transformers import losses

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    model.to(device)
    model.max_seq_length = min(args.max_seq_length, model.max_seq_length or args.max_seq_length)
    loss_fn = losses.MultipleNegativesRankingLoss(model, scale=args.scale)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)
    steps_per_epoch = len(no_duplicate_batches(pairs, args.batch_size, random.Random(args.seed)))
    total = max(1, steps_per_epoch * args.epochs if not args.max_steps else min(args.max_steps, steps_per_epoch * args.epochs))
    warmup = int(total * args.warmup_ratio)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / max(1, warmup)) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))

    def features(texts):
        f = model.tokenize(texts)
        return {k: v.to(device) for k, v in f.items()}

    losses_seen, step, started = [], 0, time.time()
    model.train()
    for epoch in range(args.epochs):
        for batch in no_duplicate_batches(pairs, args.batch_size, rng):
            columns = [[p["query"] for p in batch], [p["passage"] for p in batch]]
            if args.hard_negatives and all(p.get("negative") for p in batch):
                columns.append([p["negative"] for p in batch])
            loss = loss_fn([features(c) for c in columns], None)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            losses_seen.append(float(loss.item()))
            step += 1
            if step % 50 == 0 or step == 1:
                print(json.dumps({"epoch": epoch, "step": step, "loss": losses_seen[-1]}), flush=True)
            if args.max_steps and step >= args.max_steps:
                break
        if args.max_steps and step >= args.max_steps:
            break
    seconds = time.time() - started
    return {"pairs": len(pairs), "steps": step, "seconds": round(seconds, 2), "pairs_per_second": round(step * args.batch_size / max(seconds, 1e-9), 1),
            "loss_first": losses_seen[0], "loss_last": losses_seen[-1], "loss_first10": sum(losses_seen[:10]) / len(losses_seen[:10]),
            "loss_last10": sum(losses_seen[-10:]) / len(losses_seen[-10:])}


def main(argv):
    args = parse_args(argv)
    if args.package_only:
        print(json.dumps({"packaged": package_inference_code(args.model_dir)}), flush=True)
        return 0
    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.self_test:
        rng = random.Random(args.seed)
        pairs = synthetic_pairs(512, rng)
        work = tempfile.mkdtemp(prefix="genq-selftest-")
        model = tiny_random_model(pairs, work)
        args.batch_size, args.learning_rate, args.epochs = 16, 1e-3, 3
        args.model_dir = os.path.join(work, "model")
    else:
        pairs = read_pairs(args.train_dir)
        model = SentenceTransformer(args.base_model)
    stats = train(model, pairs, args, device)
    os.makedirs(args.model_dir, exist_ok=True)
    model.save(args.model_dir)
    package_inference_code(args.model_dir)
    stats.update({"device": device, "base_model": "tiny random BERT (self-test)" if args.self_test else args.base_model, "hard_negatives": args.hard_negatives})
    with open(os.path.join(args.model_dir, "training_stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2)
    if args.self_test:
        reloaded = SentenceTransformer(args.model_dir, device=device)
        q = reloaded.encode(["what does vacuum do"], normalize_embeddings=True)
        p = reloaded.encode(["vacuum reclaims storage from dead tuples", "an index lets the server find rows faster"], normalize_embeddings=True)
        sims = (q @ p.T).tolist()[0]
        stats["self_test"] = {"loss_went_down": stats["loss_last10"] < stats["loss_first10"], "similarity_right_vs_wrong": sims}
        packaged = all(os.path.isfile(os.path.join(args.model_dir, "code", name)) for name in INFERENCE_CODE)
        stats["self_test"]["inference_code_packaged"] = packaged
        ok = stats["self_test"]["loss_went_down"] and sims[0] > sims[1] and packaged
        print(json.dumps(stats), flush=True)
        return 0 if ok else 1
    print(json.dumps(stats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
