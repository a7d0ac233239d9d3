"""The cluster path on one machine: a two-node local Ray cluster (``ray.cluster_utils.Cluster``),
``explore(..., workers=2, ray_address=...)`` joining it, one worker per node (by hand).

    python -m benchmarks.cluster_two_nodes [--model models/majority.py] [-n 4] [--left]

It checks that the workers ran on two nodes and that the answers (configurations, events,
valence counts, initial valences, verdicts with schedule lengths) are those of one process, and
prints each node's memory: the resident memory of its raylet and of every process it started
(the workers), with the workers' own bytes per configuration. ``--left`` keeps the graph on
the workers (as past 2,000,000 configurations) instead of gathering it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def node_memory(cluster) -> dict[str, dict[str, float]]:
    """Per node: MiB resident of the raylet and of its children (workers, object store)."""
    import psutil

    out = {}
    for i, node in enumerate(cluster.list_all_nodes()):
        raylets = [info.process.pid for kind, infos in node.all_processes.items()
                   if kind == "raylet" for info in infos]
        procs = []
        for pid in raylets:
            try:
                p = psutil.Process(pid)
                procs += [p, *p.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        rss = {}
        for p in procs:
            try:
                name = " ".join(p.cmdline()[:2])[-40:] or p.name()
                rss[f"{p.pid} {name}"] = p.memory_info().rss / 2**20
            except psutil.NoSuchProcess:
                continue
        out[f"node {i}{' (head)' if node.head else ''}"] = rss
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/majority.py")
    parser.add_argument("-n", type=int, default=4)
    parser.add_argument("--left", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from ray.cluster_utils import Cluster

    from flpcheck import classify_valence, explore
    from flpcheck.analysis.properties import check_safety
    from flpcheck.explorer.partition.engine import PartitionEngine
    from flpcheck.model.loader import load_protocol

    def answers(space) -> dict:
        v = classify_valence(space)
        return {"configurations": len(space), "events": space.num_events,
                "valence": v.counts(), "initial": v.initial_counts(),
                "safety": [(r.holds, None if r.schedule is None else len(r.schedule))
                           for r in check_safety(space)]}

    model = str(ROOT / args.model)
    expected = answers(explore(load_protocol(model, args.n)))
    t = time.perf_counter()
    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "include_dashboard": False, "object_store_memory": 256 << 20})
    cluster.add_node(num_cpus=1, object_store_memory=256 << 20)
    cluster.wait_for_nodes()
    started = time.perf_counter() - t
    try:
        engine = PartitionEngine(2, ray=True, address=cluster.address,
                                 gather_up_to=0 if args.left else 2_000_000)
        t = time.perf_counter()
        space = explore(load_protocol(model, args.n), engine=engine)
        got = answers(space)
        took = time.perf_counter() - t
        nodes = {node for _, node in engine.report["workers"]}
        memory = node_memory(cluster)
        workers = [{"configurations": s["configurations"],
                    "array bytes per configuration": round(
                        sum(s["arrays"].values()) / max(s["configurations"], 1), 1),
                    "resident MiB": round(s["rss"] / 2**20)}
                   for s in engine.report["partitions"]]
        print(json.dumps({
            "cluster start s": round(started, 2), "explore + analyses s": round(took, 2),
            "engine": space.engine, "workers on distinct nodes": len(nodes) == 2,
            "workers": workers,
            "per node resident MiB": {k: round(sum(v.values())) for k, v in memory.items()},
            "per node processes": {k: {p: round(m) for p, m in v.items()}
                                   for k, v in memory.items()},
            "answers as one process": got == expected, "answers": got}, indent=1))
        ok = got == expected and len(nodes) == 2
    finally:
        import ray

        ray.shutdown()
        cluster.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
