using AgentSilo.Evolution;

namespace AgentSilo.Grains;

/// <summary>What one round did and measured; one entry of results.json's "rounds".</summary>
/// <param name="Round">0 is the labelled base model; 1..n are self-improvement rounds.</param>
/// <param name="PolicyVersion">The version evaluated at the end of the round.</param>
/// <param name="Method">"base", or the spec's method (star, sharpen, curriculum).</param>
/// <param name="Selection">How answers were chosen ("labels" for the base).</param>
/// <param name="TargetDifficulty">The difficulty a curriculum round self-labelled; null otherwise.</param>
/// <param name="SamplesGenerated">Completions sampled in the generate phase.</param>
/// <param name="SamplesKept">Examples the critic kept (one per problem at most).</param>
/// <param name="KeptPrecision">Fraction of kept examples that were correct, measured with labels after selection (report only).</param>
/// <param name="TrainSteps">Optimiser steps this round.</param>
/// <param name="TrainLoss">Mean training loss over the round's steps.</param>
/// <param name="Eval">Held-out scores per difficulty.</param>
/// <param name="WallSeconds">Wall time of the round.</param>
/// <param name="SamplesPerSecond">Completions per second in the generate phase.</param>
/// <param name="TrainStepsPerSecond">Optimiser steps per second.</param>
/// <param name="SamplesStale">Kept samples the trainer dropped as older than train.max_staleness versions.</param>
/// <param name="MeanStaleness">
/// Mean of how many versions (publications, train.publish_every) the round's samples lag the version it trains from: 0
/// synchronous; null where nothing was sampled.
/// </param>
/// <param name="SamplesIngested">Kept samples that entered the training pool (each trajectory id once, however often delivered).</param>
/// <param name="Temperature">B-STaR: the round's sampling temperature; null when B-STaR is off.</param>
/// <param name="Threshold">B-STaR: the round's reward threshold (majority vote share).</param>
/// <param name="Exploration">B-STaR: mean min(distinct correct selected / n*, 1) over the round's problems.</param>
/// <param name="Exploitation">B-STaR: mean share of selected samples that were right.</param>
/// <param name="BalanceScore">B-STaR: mean product of the two per problem.</param>
/// <param name="NextTemperature">B-STaR: the temperature chosen for the next round.</param>
/// <param name="Objective">The round's training objective (sft, reinforce, grpo, dpo, srpo, pit); null in results older than objectives.</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.RoundResult")]
public sealed record RoundResult(
    [property: Id(0)] int Round,
    [property: Id(1)] int PolicyVersion,
    [property: Id(2)] string Method,
    [property: Id(3)] string Selection,
    [property: Id(4)] int? TargetDifficulty,
    [property: Id(5)] int SamplesGenerated,
    [property: Id(6)] int SamplesKept,
    [property: Id(7)] double KeptPrecision,
    [property: Id(8)] int TrainSteps,
    [property: Id(9)] double TrainLoss,
    [property: Id(10)] IReadOnlyList<DifficultyScore> Eval,
    [property: Id(11)] double WallSeconds,
    [property: Id(12)] double SamplesPerSecond,
    [property: Id(13)] double TrainStepsPerSecond,
    [property: Id(14)] int SamplesStale = 0,
    [property: Id(15)] int SamplesIngested = 0,
    [property: Id(16)] string? Objective = null,
    [property: Id(17)] double? Temperature = null,
    [property: Id(18)] double? Threshold = null,
    [property: Id(19)] double? Exploration = null,
    [property: Id(20)] double? Exploitation = null,
    [property: Id(21)] double? BalanceScore = null,
    [property: Id(22)] double? NextTemperature = null,
    [property: Id(23)] double? MeanStaleness = null);

[GenerateSerializer, Alias("AgentSilo.ExperimentPhase")]
public enum ExperimentPhase
{
    Created = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,
}

/// <summary>Where an experiment stands; what `agentsilo run` polls to draw progress.</summary>
/// <param name="Id">Experiment id.</param>
/// <param name="Phase">Lifecycle phase.</param>
/// <param name="Round">The round under way (or last finished).</param>
/// <param name="TotalRounds">Rounds in the spec, the base round included.</param>
/// <param name="Step">The step under way: generate, judge, train, evaluate.</param>
/// <param name="StepDone">Work done in the step (chunks, training steps).</param>
/// <param name="StepTotal">Work in the step.</param>
/// <param name="Rounds">Every finished round.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="TrainLoss">The trainer's latest loss.</param>
/// <param name="SamplesPerSecond">Throughput of the latest generate phase.</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.ExperimentStatus")]
public sealed record ExperimentStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] ExperimentPhase Phase,
    [property: Id(2)] int Round,
    [property: Id(3)] int TotalRounds,
    [property: Id(4)] string Step,
    [property: Id(5)] int StepDone,
    [property: Id(6)] int StepTotal,
    [property: Id(7)] IReadOnlyList<RoundResult> Rounds,
    [property: Id(8)] string? Error,
    [property: Id(9)] double TrainLoss,
    [property: Id(10)] double SamplesPerSecond);
