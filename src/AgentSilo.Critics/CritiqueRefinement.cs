namespace AgentSilo.Critics;

/// <summary>What continues solutions from a prefix of steps (the student policy; a fake in tests).</summary>
public interface IStepContinuer
{
    /// <summary>One continuation of each prefix (problem plus the given steps), returned as whole solutions.</summary>
    IReadOnlyList<SolutionSample> Continue(IReadOnlyList<(AdditionProblem Problem, IReadOnlyList<string> Prefix)> prefixes, float temperature, long seed);
}

/// <summary>Critique-guided refinement's settings.</summary>
/// <param name="Rounds">Critique-then-revise rounds at most (default 2).</param>
/// <param name="Candidates">Continuations drawn per flagged solution and round (default 1).</param>
/// <param name="Temperature">Sampling temperature of the continuations (default 1).</param>
public sealed record RefinementOptions(int Rounds = 2, int Candidates = 1, float Temperature = 1f)
{
    public void Validate()
    {
        if (Rounds < 0 || Candidates < 1 || Temperature < 0)
        {
            throw new ArgumentException($"Invalid refinement options: {this}");
        }
    }
}

/// <summary>Refined solutions and what they cost.</summary>
/// <param name="Final">The solutions after refinement, in the input's order.</param>
/// <param name="Critiques">The critic's last word on each final solution.</param>
/// <param name="PolicySamples">Continuations drawn from the policy.</param>
/// <param name="CriticCalls">Solutions the critic read (the first critiques included).</param>
/// <param name="Revised">Solutions revised at least once.</param>
public sealed record RefinementResult(IReadOnlyList<SolutionSample> Final, IReadOnlyList<StepCritique> Critiques, int PolicySamples, int CriticCalls, int Revised);

/// <summary>
/// Critique-guided refinement (AutoMathCritique at our scale): the critic reads each solution; where it flags step k, the
/// student keeps the steps before k and writes the rest again. The critique steers the revision by where it restarts and
/// by a ban: a continuation that writes the flagged step's old text again is passed over when another candidate does
/// not (the student was never trained on prompts that carry a critique, so the critique's words are not in its prompt).
/// Among the candidates, the first the critic calls ok is taken, else the first that does not repeat the flagged step,
/// else the first. Rounds repeat while the critic still flags something.
/// </summary>
public static class CritiqueRefinement
{
    /// <summary>The steps a revision keeps: those before the flagged step (all of them for "ok"; none for an unreadable critique).</summary>
    public static IReadOnlyList<string> RestartPrefix(SolutionSample sample, StepCritique critique)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(critique);
        return critique.Step switch
        {
            null => sample.Steps,
            < 0 => [],
            { } step => [.. sample.Steps.Take(step)],
        };
    }

    public static RefinementResult Refine(IStepContinuer policy, IStepCritic critic, IReadOnlyList<SolutionSample> samples, RefinementOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var current = samples.ToArray();
        var critiques = critic.Critique(current).ToArray();
        var (calls, drawn) = (current.Length, 0);
        var revised = new bool[current.Length];
        for (var round = 1; round <= options.Rounds; round++)
        {
            var flagged = Enumerable.Range(0, current.Length).Where(i => !critiques[i].IsOk).ToList();
            if (flagged.Count == 0)
            {
                break;
            }

            var owners = new List<int>();
            var prefixes = new List<(AdditionProblem, IReadOnlyList<string>)>();
            foreach (var i in flagged)
            {
                revised[i] = true;
                var prefix = RestartPrefix(current[i], critiques[i]);
                if (prefix.Count >= current[i].Problem.StepCount)
                {
                    // Steps past the answer: the revision is to stop there.
                    current[i] = new SolutionSample(current[i].Problem, [.. prefix.Take(current[i].Problem.StepCount)]);
                    critiques[i] = critic.Critique([current[i]])[0];
                    calls++;
                    continue;
                }

                for (var c = 0; c < options.Candidates; c++)
                {
                    owners.Add(i);
                    prefixes.Add((current[i].Problem, prefix));
                }
            }

            if (prefixes.Count == 0)
            {
                continue;
            }

            var candidates = policy.Continue(prefixes, options.Temperature, seed + (round * 7919L));
            drawn += candidates.Count;
            var verdicts = critic.Critique(candidates);
            calls += candidates.Count;
            foreach (var i in owners.Distinct())
            {
                var mine = Enumerable.Range(0, owners.Count).Where(k => owners[k] == i).ToList();
                var step = critiques[i].Step is { } s and >= 0 ? s : -1;
                var old = step >= 0 && step < current[i].Steps.Count ? current[i].Steps[step] : null;
                bool Repeats(int k) => old is not null && step < candidates[k].Steps.Count && candidates[k].Steps[step] == old;
                var pick = mine.Where(k => verdicts[k].IsOk && !Repeats(k)).Concat(mine.Where(k => !Repeats(k))).Concat(mine).First();
                current[i] = candidates[pick];
                critiques[i] = verdicts[pick];
            }
        }

        return new RefinementResult(current, critiques, drawn, calls, revised.Count(r => r));
    }
}
