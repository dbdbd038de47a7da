using AgentSilo.Tasks;

namespace AgentSilo.Grains;

/// <summary>A policy version and where its weights are; what crosses grain boundaries instead of tensors.</summary>
/// <param name="Policy">Policy name (the experiment id).</param>
/// <param name="Version">Version number; 1 is the base model, round r publishes r + 1.</param>
/// <param name="CheckpointPath">Checkpoint file every silo can read.</param>
/// <param name="Sha256">The file's hash, checked on load.</param>
/// <param name="Publication">
/// 0 for a round's version. An intermediate version (train.publish_every: weights published every K optimiser steps while
/// a round trains, for asynchronous rollouts) carries its publication number (versions published so far, counted as
/// <c>Staleness.Publication</c> does) and the <paramref name="Version"/> its round started from.
/// </param>
[GenerateSerializer, Immutable, Alias("AgentSilo.PolicyVersion")]
public sealed record PolicyVersion(
    [property: Id(0)] string Policy,
    [property: Id(1)] int Version,
    [property: Id(2)] string CheckpointPath,
    [property: Id(3)] string Sha256,
    [property: Id(4)] int Publication = 0);

/// <summary>Sampling settings (the grain-side twin of the library's SamplingOptions).</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.SamplingSettings")]
public sealed record SamplingSettings(
    [property: Id(0)] float Temperature,
    [property: Id(1)] float TopP,
    [property: Id(2)] int SamplesPerPrompt,
    [property: Id(3)] int MaxNewTokens);

/// <summary>
/// A batch of prompts for a policy. With <see cref="Drafts"/> (one per prompt), each prompt asks for a revision of its
/// draft (the prompt, the draft, a separator: SRPO and PIT's self-improvement prompts).
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.SampleRequest")]
public sealed record SampleRequest(
    [property: Id(0)] PolicyVersion Policy,
    [property: Id(1)] IReadOnlyList<string> Prompts,
    [property: Id(2)] SamplingSettings Sampling,
    [property: Id(3)] long Seed,
    [property: Id(4)] IReadOnlyList<string>? Drafts = null);

/// <summary>One completion: token ids, per-token log-probs, the decoded text.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.SampledCompletion")]
public sealed record SampledCompletion(
    [property: Id(0)] int PromptIndex,
    [property: Id(1)] int[] TokenIds,
    [property: Id(2)] float[] LogProbs,
    [property: Id(3)] string Text,
    [property: Id(4)] bool Stopped);

/// <summary>One step of an episode: what the agent saw, what it did, and the tokens behind it.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.TrajectoryStep")]
public sealed record TrajectoryStep(
    [property: Id(0)] string Observation,
    [property: Id(1)] string Action,
    [property: Id(2)] int[] TokenIds,
    [property: Id(3)] float[] LogProbs,
    [property: Id(4)] bool Stopped);

/// <summary>
/// An episode of one task under one policy version. <see cref="Id"/> is deterministic
/// ("{experiment}/r{round}/{task}/s{sample}"), so delivery can be at-least-once and counting stays exact.
/// <see cref="TraceParent"/> is the W3C trace context of the span that produced it (null when not traced), so the training
/// run that consumes it can link back to its episode. <see cref="Publication"/> is the drawing policy's
/// <see cref="PolicyVersion.Publication"/> (0: a round's version).
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Trajectory")]
public sealed record Trajectory(
    [property: Id(0)] string Id,
    [property: Id(1)] string ExperimentId,
    [property: Id(2)] int Round,
    [property: Id(3)] string TaskId,
    [property: Id(4)] int PolicyVersion,
    [property: Id(5)] IReadOnlyList<TrajectoryStep> Steps,
    [property: Id(6)] string? TraceParent = null,
    [property: Id(7)] int Publication = 0)
{
    public string FinalAction => Steps.Count == 0 ? "" : Steps[^1].Action;

    public bool Stopped => Steps.Count > 0 && Steps[^1].Stopped;

    public double MeanLogProb
    {
        get
        {
            var logProbs = Steps.SelectMany(s => s.LogProbs).ToList();
            return logProbs.Count == 0 ? 0 : logProbs.Average(x => (double)x);
        }
    }
}

/// <summary>
/// Episodes to run: each problem sampled <see cref="SamplingSettings.SamplesPerPrompt"/> times. <see cref="Tag"/> names the
/// purpose ("gen", "eval-greedy", ...) and <see cref="FirstIndex"/> the first problem's index in the round, for trajectory ids.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.RolloutRequest")]
public sealed record RolloutRequest(
    [property: Id(0)] string ExperimentId,
    [property: Id(1)] int Round,
    [property: Id(2)] PolicyVersion Policy,
    [property: Id(3)] IReadOnlyList<TaskProblem> Problems,
    [property: Id(4)] SamplingSettings Sampling,
    [property: Id(5)] long Seed,
    [property: Id(6)] string Tag,
    [property: Id(7)] int FirstIndex,
    [property: Id(8)] ExternalPolicy? External = null,
    [property: Id(9)] IReadOnlyList<string>? Drafts = null);

/// <summary>
/// A policy served elsewhere behind an OpenAI-compatible API: rollouts sample it through IChatClient instead of the
/// policy grain. <see cref="ApiKeyEnv"/> names the environment variable holding the key; the key never travels.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.ExternalPolicy")]
public sealed record ExternalPolicy(
    [property: Id(0)] string BaseUrl,
    [property: Id(1)] string Model,
    [property: Id(2)] string? ApiKeyEnv,
    [property: Id(3)] double TimeoutSeconds,
    [property: Id(4)] int MaxRetries,
    [property: Id(5)] int MaxConcurrency,
    [property: Id(6)] string PromptStyle);

/// <summary>How the critic should judge.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.JudgeRequest")]
public sealed record JudgeRequest(
    [property: Id(0)] string Suite,
    [property: Id(1)] string Selection,
    [property: Id(2)] double MinVoteShare,
    [property: Id(3)] double LengthFilter,
    [property: Id(4)] IReadOnlyList<TaskProblem> Problems,
    [property: Id(5)] IReadOnlyList<Trajectory> Trajectories,
    [property: Id(6)] double MinLikelihood = 0);

/// <summary>The critic's choice for one problem, with its annotation.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.CriticVerdict")]
public sealed record CriticVerdict(
    [property: Id(0)] string TrajectoryId,
    [property: Id(1)] string TaskId,
    [property: Id(2)] string Answer,
    [property: Id(3)] double Confidence,
    [property: Id(4)] string Method);

[GenerateSerializer, Immutable, Alias("AgentSilo.JudgeResult")]
public sealed record JudgeResult(
    [property: Id(0)] IReadOnlyList<CriticVerdict> Kept,
    [property: Id(1)] int Problems,
    [property: Id(2)] int Samples,
    [property: Id(3)] int KeptCorrect);

/// <summary>
/// A training example selected in some round, keyed by the trajectory it came from; <see cref="TraceParent"/> is that
/// trajectory's trace context, for the training span's links. Objectives beyond SFT get every sample of a problem with its
/// <see cref="Reward"/>, the sampled <see cref="CompletionTokens"/> and their <see cref="LogProbs"/>, grouped by <see cref="TaskId"/>.
/// <see cref="Publication"/>: the drawing policy's intermediate version (train.publish_every), 0 for a round's version.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.TrainingSample")]
public sealed record TrainingSample(
    [property: Id(0)] string TrajectoryId,
    [property: Id(1)] int Round,
    [property: Id(2)] string Prompt,
    [property: Id(3)] string Completion,
    [property: Id(4)] int PolicyVersion = 0,
    [property: Id(5)] string? TraceParent = null,
    [property: Id(6)] int[]? CompletionTokens = null,
    [property: Id(7)] float[]? LogProbs = null,
    [property: Id(8)] double Reward = 0,
    [property: Id(9)] string? TaskId = null,
    [property: Id(10)] int Publication = 0);

[GenerateSerializer, Alias("AgentSilo.TrainerPhase")]
public enum TrainerPhase
{
    Idle = 0,
    Training = 1,
    Done = 2,
    Failed = 3,
}

/// <summary>
/// A trainer's progress; polled, since a training run outlasts a grain call. <see cref="Latest"/> is the newest weights
/// published, intermediate versions (train.publish_every) included: what asynchronous rollouts sample from.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.TrainingStatus")]
public sealed record TrainingStatus(
    [property: Id(0)] TrainerPhase Phase,
    [property: Id(1)] int Round,
    [property: Id(2)] int Step,
    [property: Id(3)] int Steps,
    [property: Id(4)] double Loss,
    [property: Id(5)] PolicyVersion? Published,
    [property: Id(6)] string? Error,
    [property: Id(7)] double StepsPerSecond,
    [property: Id(8)] int Examples,
    [property: Id(9)] PolicyVersion? Latest = null);
