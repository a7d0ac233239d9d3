"""The partition engine: a level-synchronous breadth-first search over K partitions, each
owning the configurations whose content fingerprint hashes to it.

- :mod:`.engine`: :class:`~.engine.PartitionEngine`, the coordinator, level by level;
- :mod:`.worker`: :class:`~.worker.Partition`, one partition (its search side), with
  :mod:`.queries` (what the analyses ask of a graph left on the partitions);
- :mod:`.parts`: how the coordinator calls the K partitions (:class:`~.parts.LocalParts` in
  this process), :mod:`.ray_parts` (:class:`~.ray_parts.RayParts`, Ray actors);
- :mod:`.gather`: the partitions' graph rebuilt as one StateSpace;
- :mod:`.space`: :class:`~.space.PartitionedSpace`, the graph left on the partitions.
"""
