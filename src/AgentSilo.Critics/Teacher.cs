namespace AgentSilo.Critics;

/// <summary>
/// A teacher's intervention in a student's attempt: the steps the student got right, then the teacher's step where the
/// student first went wrong (the hint); <see cref="HintStep"/> is null when the attempt needed none.
/// </summary>
public sealed record Guidance(int? HintStep, StepError Error, IReadOnlyList<string> GuidedPrefix);

/// <summary>A rollout the teacher steered: the final solution, where each hint went in, the student's unguided first attempt.</summary>
public sealed record GuidedRollout(SolutionSample Final, IReadOnlyList<int> HintSteps, SolutionSample FirstAttempt);

/// <summary>
/// The task's solver as teacher (ThinkTuning / IMBUE at our scale): it watches the student's attempt, finds the first wrong
/// step with the checker, and gives just that step; the student continues from there by itself.
/// </summary>
public static class Teacher
{
    public static Guidance Intervene(AdditionProblem problem, IReadOnlyList<string> attempt)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(attempt);
        var verdict = StepChecker.Check(problem, attempt);
        if (verdict.FirstError is not { } error)
        {
            return new Guidance(null, StepError.None, attempt);
        }

        var truth = problem.Solve();
        // Steps past the answer: the right solution is already there; the hint is to stop.
        return error >= truth.Count
            ? new Guidance(error, verdict.Error, truth)
            : new Guidance(error, verdict.Error, [.. attempt.Take(error), truth[error]]);
    }

    /// <summary>
    /// One guided rollout per problem: the student attempts it; while its solution is wrong and hints are left, the teacher
    /// intervenes and the student continues after the hint. Returns the rollouts and the student continuations drawn.
    /// </summary>
    public static (IReadOnlyList<GuidedRollout> Rollouts, int StudentSamples) GuidedRollouts(
        StepPolicy student, IReadOnlyList<AdditionProblem> problems, int maxHints, float temperature, long seed)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHints);
        var first = student.Solve(problems, 1, temperature, seed);
        var current = first.ToArray();
        var hints = problems.Select(_ => new List<int>()).ToArray();
        var drawn = first.Count;
        for (var round = 1; round <= maxHints; round++)
        {
            var pending = new List<int>();
            var prefixes = new List<(AdditionProblem, IReadOnlyList<string>)>();
            for (var i = 0; i < current.Length; i++)
            {
                var guidance = Intervene(problems[i], current[i].Steps);
                if (guidance.HintStep is not { } hint)
                {
                    continue;
                }

                hints[i].Add(hint);
                if (guidance.GuidedPrefix.Count >= problems[i].StepCount)
                {
                    current[i] = new SolutionSample(problems[i], guidance.GuidedPrefix);
                }
                else
                {
                    pending.Add(i);
                    prefixes.Add((problems[i], guidance.GuidedPrefix));
                }
            }

            if (pending.Count == 0)
            {
                break;
            }

            var continued = student.Continue(prefixes, temperature, seed + (round * 104729L));
            drawn += continued.Count;
            for (var k = 0; k < pending.Count; k++)
            {
                current[pending[k]] = continued[k];
            }
        }

        return ([.. Enumerable.Range(0, problems.Count).Select(i => new GuidedRollout(current[i], hints[i], first[i]))], drawn);
    }
}

/// <summary>
/// Self-correction measured as two rates ("confidence vs critique"): of the first attempts that were right, the share
/// still right after the second (confidence); of those that were wrong, the share made right (critique).
/// </summary>
/// <param name="Pairs">First and second attempts measured.</param>
/// <param name="FirstRight">First attempts that were right.</param>
/// <param name="Confidence">P(second right | first right); NaN when no first attempt was right.</param>
/// <param name="Critique">P(second right | first wrong); NaN when no first attempt was wrong.</param>
/// <param name="FirstAccuracy">Share of first attempts right.</param>
/// <param name="SecondAccuracy">Share of second attempts right.</param>
public sealed record CorrectionRates(int Pairs, int FirstRight, double Confidence, double Critique, double FirstAccuracy, double SecondAccuracy)
{
    public static CorrectionRates Of(IEnumerable<(bool FirstRight, bool SecondRight)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = pairs.ToList();
        var right = list.Where(p => p.FirstRight).ToList();
        var wrong = list.Where(p => !p.FirstRight).ToList();
        return new CorrectionRates(
            list.Count,
            right.Count,
            right.Count == 0 ? double.NaN : right.Count(p => p.SecondRight) / (double)right.Count,
            wrong.Count == 0 ? double.NaN : wrong.Count(p => p.SecondRight) / (double)wrong.Count,
            list.Count == 0 ? double.NaN : right.Count / (double)list.Count,
            list.Count == 0 ? double.NaN : list.Count(p => p.SecondRight) / (double)list.Count);
    }
}
