#!/usr/bin/env python3
"""Request bodies for bench/compare.sh, one JSON body per line.

Usage: make-bodies.py <shared/data folder> <out folder> [arms=4] [distinct=2000]
Writes pinned.jsonl (one body, model "arm-0"), portkey.jsonl (the same body, the upstream's model name),
auto-repeated.jsonl (one body, model "auto") and auto-distinct.jsonl (<distinct> different MMLU questions from
routellm/mmlu, all 57 subjects, seeded shuffle: realistic prompts of 40-300 tokens, so an embedding cache cannot
answer them), and arms.json (<arms> arms on the bench upstream, prices spread over two orders of magnitude).
"""
import csv
import json
import os
import random
import sys

data, out = sys.argv[1], sys.argv[2]
arms = int(sys.argv[3]) if len(sys.argv) > 3 else 4
distinct = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
upstream = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:18080")
os.makedirs(out, exist_ok=True)

csv.field_size_limit(10_000_000)
folder = os.path.join(data, "routellm", "mmlu")
prompts = []
for name in sorted(os.listdir(folder)):
    if name.endswith(".csv"):
        with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
            prompts.extend(row["prompt"] for row in csv.DictReader(f))
prompts = sorted(set(prompts))
random.Random(14).shuffle(prompts)
prompts = prompts[:distinct]

system = "You are a helpful assistant. Answer with the letter of the correct option."
repeated = "What is the capital of France? Answer in one sentence."


def body(model, text):
    return json.dumps({"model": model, "messages": [{"role": "system", "content": system}, {"role": "user", "content": text}]},
                      separators=(",", ":"))


def write(name, lines):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


write("pinned.jsonl", [body("arm-0", repeated)])
write("portkey.jsonl", [body("bench-upstream", repeated)])
write("auto-repeated.jsonl", [body("auto", repeated)])
write("auto-distinct.jsonl", [body("auto", p) for p in prompts])
arm_list = [{"Name": f"arm-{i}", "Provider": "openai", "BaseUrl": upstream + "/v1",
             "InputPricePerMillion": round(0.1 * (100 ** (i / max(1, arms - 1))), 4),
             "OutputPricePerMillion": round(0.4 * (100 ** (i / max(1, arms - 1))), 4)} for i in range(arms)]
with open(os.path.join(out, "arms.json"), "w", encoding="utf-8") as f:
    json.dump({"_comment": "bench/compare.sh: every arm is the bench upstream", "Arms": arm_list}, f, indent=1)
print(f"{len(prompts)} distinct prompts, {arms} arms -> {out}")
