#!/usr/bin/env bash
# Benchmark: the trainer's training throughput against the PyTorch peer (../shared/bench/pytorch_dggrn_bench.py, Debian's
# python3-torch), same model and batch, alternating peer and trainer round by round so both meet the same machine state.
#   tests/Model.Tests/bench/trainer-vs-peer.sh [ROUNDS] [THREADS] [CONFIG...]
#     CONFIG = MODEL:K:N:SCALE, default dggrn:32:8:2 dggrn:64:8:2 dggrn:128:8:2 dggrn:32:8:4 dggrn:64:8:4 dggrn:128:8:4 resnet:64:8:2
# Ours is `dggrn bench train` with nothing set by hand: it runs the numerics self-check first and trains on the path
# it chooses; "trainer" is Trainer.Run (sampler, augmentation, GC per step: the product's path), "bare" the same model in a
# bare loop. The per-trial self-check itself (0.3-2 s once) is outside the per-step timing. Prints one line per round and a
# median summary per config. Needs a Release build of the benchmarks (tests/Benchmarks) (honours DGGRN_ARTIFACTS) and /usr/bin/python3 with torch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
rounds=${1:-3}; threads=${2:-2}; shift $(( $# > 2 ? 2 : $# )) || true
configs=("$@"); [ ${#configs[@]} -gt 0 ] || configs=(dggrn:32:8:2 dggrn:64:8:2 dggrn:128:8:2 dggrn:32:8:4 dggrn:64:8:4 dggrn:128:8:4 resnet:64:8:2)
art=${DGGRN_ARTIFACTS:-$root/artifacts}
bench="$art/bin/Dggrn.Benchmarks/release_linux-x64/dggrn-bench.dll"
peer="${DGGRN_PEER:-$root/../shared/bench/pytorch_dggrn_bench.py}"
[ -f "$bench" ] || { echo "trainer-vs-peer.sh: $bench missing: build tests/Benchmarks in Release first (./dggrn bench does)" >&2; exit 1; }
[ -f "$peer" ] || { echo "trainer-vs-peer.sh: peer $peer missing (set DGGRN_PEER)" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "trainer-vs-peer.sh: /usr/bin/python3 has no torch (apt-get install python3-torch)" >&2; exit 1; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs); threads $threads; rounds $rounds; $(date -u +%FT%TZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
for cfg in "${configs[@]}"; do
  IFS=: read -r model k n s <<<"$cfg"
  peer_rates=(); ours=(); bare=(); path=""; gflops=""
  for r in $(seq 1 "$rounds"); do
    p=$(/usr/bin/python3 "$peer" "$model" "$k" "$n" "$s" "$threads" 8 2>/dev/null | tail -1 | python3 -c 'import json,sys;print(json.load(sys.stdin)["patches_per_s_median"])')
    o=$(dotnet "$bench" train --model "$model" --filters "$k" --blocks "$n" --scale "$s" --threads "$threads" --steps 8 --warmup 2 --rounds 1 --json 2>/dev/null | tail -1)
    t=$(python3 -c 'import json,sys;d=json.loads(sys.argv[1]);print(d["trainerPatchesPerSecond"],d["bareLoopPatchesPerSecond"],d["convPath"],d["trainerGflops"])' "$o")
    read -r tr br path gflops <<<"$t"
    peer_rates+=("$p"); ours+=("$tr"); bare+=("$br")
    echo "  $cfg round $r: peer $p, trainer $tr ($path, $gflops GFLOP/s), bare $br patches/s"
  done
  pm=$(printf '%s\n' "${peer_rates[@]}" | median); om=$(printf '%s\n' "${ours[@]}" | median); bm=$(printf '%s\n' "${bare[@]}" | median)
  echo "$cfg: peer $pm, trainer $om ($(python3 -c "print(f'{$om/$pm:.2f}')")x the peer; path $path), bare $bm patches/s (medians of $rounds)"
done
