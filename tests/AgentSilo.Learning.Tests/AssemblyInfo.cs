// Torch already uses every core for one test; running tests side by side only adds contention.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
