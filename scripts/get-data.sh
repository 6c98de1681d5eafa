#!/usr/bin/env bash
# Where the full public routing data comes from, and (with --fetch DIR) a download of it into DIR in the layout
# the `router` CLI examples and the full-data tests use (tests find it through ROUTER_DATA=DIR, or at ../shared/data).
#
#   scripts/get-data.sh                 list every file with its source URL (nothing is downloaded)
#   scripts/get-data.sh --fetch DIR     download them into DIR (needs curl and access to raw.githubusercontent.com)
#
# The repository itself carries only small cuts of these files (tests/fixtures, see its README); the tests pass
# without the full data and skip the few tests that need it, unless CI=true or ROUTER_REQUIRE_DATA=1.
set -euo pipefail

ROUTERDC=https://raw.githubusercontent.com/shuhao02/RouterDC/HEAD/datasets        # RouterDC (Chen et al., NeurIPS 2024)
ROUTELLM=https://raw.githubusercontent.com/lm-sys/RouteLLM/HEAD/routellm/evals     # RouteLLM (Ong et al., 2024), Apache-2.0
FASTCHAT=https://raw.githubusercontent.com/lm-sys/FastChat/HEAD/fastchat/llm_judge/data/mt_bench

MMLU_SUBJECTS="abstract_algebra anatomy astronomy business_ethics clinical_knowledge college_biology college_chemistry
college_computer_science college_mathematics college_medicine college_physics computer_security conceptual_physics
econometrics electrical_engineering elementary_mathematics formal_logic global_facts high_school_biology
high_school_chemistry high_school_computer_science high_school_european_history high_school_geography
high_school_government_and_politics high_school_macroeconomics high_school_mathematics high_school_microeconomics
high_school_physics high_school_psychology high_school_statistics high_school_us_history high_school_world_history
human_aging human_sexuality international_law jurisprudence logical_fallacies machine_learning management marketing
medical_genetics miscellaneous moral_disputes moral_scenarios nutrition philosophy prehistory professional_accounting
professional_law professional_medicine professional_psychology public_relations security_studies sociology
us_foreign_policy virology world_religions"

# One "target<TAB>url" line per file.
sources() {
  # RouterBench (Hu et al., 2024; 11 LLMs, per-call quality, cost, responses) as split by RouterDC. RouterDC names
  # the Winogrande file winograde_train.csv.
  printf 'routerbench/arc_challenge_train.csv\t%s\n' "$ROUTERDC/routerbench_zs/arc_challenge_train.csv"
  printf 'routerbench/mbpp_train.csv\t%s\n' "$ROUTERDC/routerbench_zs/mbpp_train.csv"
  printf 'routerbench/winogrande_train.csv\t%s\n' "$ROUTERDC/routerbench_zs/winograde_train.csv"
  # RouterDC's 7 open 7B-8B models, per-query scores, no cost.
  for f in arc_challenge_train arc_easy_train cmmlu_train gsm8k-train humaneval_train mmlu_train; do
    printf 'routerdc7/%s.json\t%s\n' "$f" "$ROUTERDC/split2_model7/$f.json"
  done
  # RouteLLM: GPT-4 vs Mixtral-8x7B correctness on MMLU (57 subjects), MT-Bench judgements.
  for s in $MMLU_SUBJECTS; do
    printf 'routellm/mmlu/mmlu_%s.csv\t%s\n' "$s" "$ROUTELLM/mmlu/responses/mmlu_$s.csv"
  done
  printf 'routellm/mt_bench/judgements.jsonl\t%s\n' "$ROUTELLM/mt_bench/judgements.jsonl"
  printf 'routellm/mt_bench/contaminated_prompts.jsonl\t%s\n' "$ROUTELLM/mt_bench/contaminated_prompts.jsonl"
  printf 'routellm/mt_bench/question.jsonl\t%s\n' "$FASTCHAT/question.jsonl"
}

case "${1:-}" in
  "")
    sources | while IFS=$'\t' read -r target url; do printf '%-48s %s\n' "$target" "$url"; done
    ;;
  --fetch)
    dir=${2:?usage: scripts/get-data.sh --fetch DIR}
    sources | while IFS=$'\t' read -r target url; do
      mkdir -p "$dir/$(dirname "$target")"
      echo "$target"
      curl -fsSL --retry 3 -o "$dir/$target" "$url"
    done
    echo "done: export ROUTER_DATA=$(cd "$dir" && pwd)"
    ;;
  *)
    echo "usage: scripts/get-data.sh [--fetch DIR]" >&2
    exit 2
    ;;
esac
