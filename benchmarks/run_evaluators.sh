#!/bin/sh
# Trains the three domain evaluators one after another on CPU core 1 (resumable).
# Usage, from the repository root: nohup sh benchmarks/run_evaluators.sh > runs/evaluators.log 2>&1 &
export TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
PY=${PYTHON:-python}
for name in mnist fashion_mnist cifar10; do
  if [ ! -f "zoo/evaluators/$name/metadata.json" ]; then
    taskset -c 1 "$PY" benchmarks/train_evaluators.py "$name" "$@" || exit 1
  fi
done
