namespace AgentSilo.Web.Site;

/// <summary>The built-in task families and their seed splits.</summary>
public static class BuiltInTasks
{
    /// <summary>Training instances use seeds in [0, <see cref="HeldOutSeedStart"/>).</summary>
    public const int HeldOutSeedStart = 1_000_000;

    /// <summary>Every built-in task, in a fixed order.</summary>
    public static IReadOnlyList<SiteTask> All { get; } =
    [
        new ClickButtonTask(),
        new ClickLinkTask(),
        new ClickTabTask(),
        new ClickMenuTask(),
        new EnterTextTask(),
        new EnterDateTask(),
        new LoginTask(),
        new ConfirmPasswordTask(),
        new FormFieldsTask(),
        new SelectOptionTask(),
        new ClickCheckboxesTask(),
        new ChooseRadioTask(),
        new ToggleTask(),
        new NavigateTask(),
        new SearchOpenTask(),
        new ShoppingTask(),
    ];

    public static SiteTask Get(string id) =>
        All.FirstOrDefault(t => t.Id == id) ??
        throw new ArgumentException($"unknown built-in task '{id}' (known: {string.Join(", ", All.Select(t => t.Id))})", nameof(id));

    /// <summary>The <paramref name="index"/>-th training seed of a stream (never a held-out one).</summary>
    public static int TrainingSeed(int index) => index % HeldOutSeedStart;

    /// <summary>The <paramref name="index"/>-th held-out seed.</summary>
    public static int HeldOutSeed(int index) => HeldOutSeedStart + (index % HeldOutSeedStart);

    /// <summary>The <paramref name="index"/>-th validation seed: training instances counted down from the top of their range, away from the exploration stream.</summary>
    public static int ValidationSeed(int index) => HeldOutSeedStart - 1 - (index % 1000);

    public static bool IsHeldOut(int seed) => seed >= HeldOutSeedStart;
}
