using AgentSilo.Tasks;
using AgentSilo.Tasks.Judging;

namespace AgentSilo.Hgm;

/// <summary>One sampled completion as the agent sees it: its decoded text, whether it stopped, its mean log-prob.</summary>
public sealed record SampledText(string Text, bool Stopped, double MeanLogProb);

/// <summary>
/// One task evaluation of an agent: whether it solved the task, and the trajectory facts a self-modification diagnoses
/// failures from. Recorded on the node that ran it.
/// </summary>
/// <param name="TaskId">The task (a training-split problem).</param>
/// <param name="Solved">The verifier accepted the agent's answer.</param>
/// <param name="Answer">The answer the agent gave.</param>
/// <param name="Truncated">The chosen completion hit the token budget before its stop token.</param>
/// <param name="TruncatedSamples">How many samples hit the token budget.</param>
/// <param name="VoteShare">Share of the samples that gave the chosen answer.</param>
/// <param name="CorrectSamples">How many samples the verifier accepts (so: was a right answer there to pick?).</param>
/// <param name="Samples">How many samples were drawn.</param>
public sealed record TaskOutcome(
    string TaskId,
    bool Solved,
    string Answer,
    bool Truncated,
    int TruncatedSamples,
    double VoteShare,
    int CorrectSamples,
    int Samples);

/// <summary>Runs an agent variant's answer selection over its samples of one problem and checks the answer.</summary>
public static class AgentAnswer
{
    /// <summary>The agent's answer to <paramref name="problem"/> from <paramref name="samples"/>, verified.</summary>
    public static TaskOutcome Decide(AgentVariant variant, ITaskSuite suite, TaskProblem problem, IReadOnlyList<SampledText> samples)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new TaskOutcome(problem.Id, false, "", false, 0, 0, 0, 0);
        }

        var texts = samples.Select(s => s.Text).ToList();
        var chosen = variant.Selection switch
        {
            AnswerSelection.Majority => texts.IndexOf(MajorityVote.Vote(texts)!.Answer),
            AnswerSelection.Likelihood => SelfLikelihood.Best(samples.Select(s => s.MeanLogProb).ToList()),
            _ => 0,
        };
        var answer = texts[chosen];
        var share = (double)texts.Count(t => t == answer) / texts.Count;
        return new TaskOutcome(
            problem.Id,
            suite.Verify(problem, answer),
            answer,
            !samples[chosen].Stopped,
            samples.Count(s => !s.Stopped),
            share,
            texts.Count(t => suite.Verify(problem, t)),
            samples.Count);
    }
}
