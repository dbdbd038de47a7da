using System.Text.Json.Serialization;

namespace AgentSilo.Datasets;

/// <summary>
/// One line of the trajectory log and one row of the Parquet export: a single-step trajectory (prompt, completion) with
/// what judged it. Field names are the snake_case JSON and Parquet column names.
/// </summary>
public sealed class TrajectoryRecord
{
    /// <summary>Deterministic id "{experiment}/r{round}/{tag}/p{index}/s{sample}"; unique, so logs deduplicate by it.</summary>
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("experiment")]
    public string Experiment { get; set; } = "";

    [JsonPropertyName("round")]
    public int Round { get; set; }

    /// <summary>"base" (labelled round-0 data), "gen" (sampled for training), "eval-greedy" (held-out evaluation: never training data).</summary>
    [JsonPropertyName("tag")]
    public string Tag { get; set; } = "";

    [JsonPropertyName("task_id")]
    public string TaskId { get; set; } = "";

    [JsonPropertyName("suite")]
    public string Suite { get; set; } = "";

    [JsonPropertyName("difficulty")]
    public int Difficulty { get; set; }

    /// <summary>The policy version that sampled it (0 for an external model, and for the labelled base data).</summary>
    [JsonPropertyName("policy_version")]
    public int PolicyVersion { get; set; }

    /// <summary>
    /// The publication number of the intermediate version that sampled it (train.publish_every: weights published while a
    /// round trains, read by asynchronous rollouts); 0 when a round's version (<see cref="PolicyVersion"/>) did. Omitted when 0.
    /// </summary>
    [JsonPropertyName("publication")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Publication { get; set; }

    [JsonPropertyName("prompt")]
    public string Prompt { get; set; } = "";

    [JsonPropertyName("completion")]
    public string Completion { get; set; } = "";

    /// <summary>The task's correct answer (the label; measured after selection, never used by label-free judges).</summary>
    [JsonPropertyName("answer")]
    public string Answer { get; set; } = "";

    /// <summary>Whether the task's verifier accepts the completion.</summary>
    [JsonPropertyName("correct")]
    public bool Correct { get; set; }

    /// <summary>Whether the round's critic kept it for training.</summary>
    [JsonPropertyName("kept")]
    public bool Kept { get; set; }

    /// <summary>The verifier's reward: 1 when correct, else 0.</summary>
    [JsonPropertyName("reward")]
    public double Reward { get; set; }

    /// <summary>Mean log-prob per completion token under the sampling policy; 0 when unknown (external models, labelled data).</summary>
    [JsonPropertyName("mean_logprob")]
    public double MeanLogProb { get; set; }

    /// <summary>Completion tokens (the stop token included); 0 when unknown.</summary>
    [JsonPropertyName("completion_tokens")]
    public int CompletionTokens { get; set; }
}
