using AgentSilo.Web.Policy;

namespace AgentSilo.Web.Tests;

public sealed class WebPolicyTests
{
    private static WebObservation Login(string? user = null) => new("Log in with username \"dana\" and password \"x7k2pq9a\".", "http://127.0.0.1:1/e/ab/", "Log in",
    [
        new WebElement(1, "heading", "h2", "Sign in"),
        new WebElement(2, "textbox", "input", "Username", user ?? "", Interactive: true, InputType: "text"),
        new WebElement(3, "textbox", "input", "Password", "", Interactive: true, InputType: "password"),
        new WebElement(4, "button", "button", "Log in", Interactive: true),
    ], 0);

    [Fact]
    public void Goal_values_are_the_quoted_fields_with_the_words_before_them()
    {
        var values = WebFeatures.GoalValues("Log in with username \"dana\" and password \"x7k2pq9a\".");
        Assert.Equal(["dana", "x7k2pq9a"], values.Select(v => v.Text));
        Assert.Equal(["with", "username"], values[0].Before);
        Assert.Equal(["and", "password"], values[1].Before);
    }

    [Fact]
    public void Candidates_cover_fills_from_the_goal_and_clicks()
    {
        var actions = WebFeatures.Candidates(Login(), []).Select(c => c.Action.ToString()).ToList();
        Assert.Equal(["fill(2, \"dana\")", "fill(2, \"x7k2pq9a\")", "fill(3, \"dana\")", "fill(3, \"x7k2pq9a\")", "click(4)"], actions);
        Assert.All(WebFeatures.Candidates(Login(), []), c => Assert.Equal(WebFeatures.Size, c.Features.Length));
    }

    [Fact]
    public void The_field_a_value_goes_in_is_named_by_the_word_right_before_it()
    {
        // "name \"ann\", email \"...\"": the email's two words before are "name" and "email"; only "email" names its field.
        var form = new WebObservation("Fill in the form with name \"ann\", email \"ann12@example.org\" and city \"Oslo\", then press Submit.",
            "http://127.0.0.1:1/e/ab/", "Contact form",
            [
                new WebElement(1, "textbox", "input", "Name", "", Interactive: true, InputType: "text"),
                new WebElement(2, "textbox", "input", "Email", "", Interactive: true, InputType: "email"),
                new WebElement(3, "textbox", "input", "City", "", Interactive: true, InputType: "text"),
            ], 0);
        var named = WebFeatures.Candidates(form, []).Where(c => Dense(c, WebFeatures.FieldNamedByGoal) == 1).Select(c => c.Action.ToString());

        Assert.Equal(["fill(1, \"ann\")", "fill(2, \"ann12@example.org\")", "fill(3, \"Oslo\")"], named);
    }

    [Fact]
    public void Checking_an_unchecked_switch_or_unchecking_a_checked_one_changes_it()
    {
        var settings = new WebObservation("Turn \"Wi-Fi\" off and press Save.", "http://127.0.0.1:1/e/ab/", "Settings",
            [
                new WebElement(1, "switch", "input", "Wi-Fi", Interactive: true, Checked: true, InputType: "checkbox"),
                new WebElement(2, "switch", "input", "Sound", Interactive: true, Checked: false, InputType: "checkbox"),
            ], 0);
        var changes = WebFeatures.Candidates(settings, []).Where(c => Dense(c, WebFeatures.ChangesElement) == 1).Select(c => c.Action.ToString());

        Assert.Equal(["uncheck(1)", "check(2)"], changes);
        Assert.Equal(changes, WebFeatures.Candidates(settings, []).Select(c => c.Action.ToString()));
    }

    [Fact]
    public void A_switch_on_from_the_start_is_not_placed_until_the_episode_sets_it()
    {
        WebObservation Settings(bool wifiOn) => new("Turn \"Wi-Fi\" off and press Save.", "http://127.0.0.1:1/e/ab/", "Settings",
            [
                new WebElement(1, "switch", "input", "Wi-Fi", Interactive: true, Checked: wifiOn, InputType: "checkbox"),
                new WebElement(2, "button", "button", "Save", Interactive: true),
            ], wifiOn ? 0 : 1);
        float SaveAllPlaced(bool wifiOn, string[] history) =>
            Dense(WebFeatures.Candidates(Settings(wifiOn), history).Single(c => c.Action.ElementId == 2), WebFeatures.AllPlaced);

        Assert.Equal(0, SaveAllPlaced(wifiOn: true, []));
        Assert.Equal(1, SaveAllPlaced(wifiOn: false, ["uncheck|wi fi|"]));
        Assert.Equal(0, SaveAllPlaced(wifiOn: true, ["uncheck|wi fi|"]));
    }

    [Fact]
    public void Unchecking_a_box_the_episode_just_checked_is_told_apart_from_turning_a_switch_off()
    {
        var boxes = new WebObservation("Check \"orbit\", \"tunnel\" and nothing else, then press Submit.", "http://127.0.0.1:1/e/ab/", "Checkboxes",
            [
                new WebElement(1, "checkbox", "input", "tunnel", "tunnel", Interactive: true, Checked: false, InputType: "checkbox"),
                new WebElement(3, "checkbox", "input", "orbit", "orbit", Interactive: true, Checked: true, InputType: "checkbox"),
            ], 1);
        var afterCheck = WebFeatures.Candidates(boxes, ["check|orbit|"]).ToDictionary(c => c.Action.ToString());
        Assert.Equal(["check(1)", "uncheck(3)"], afterCheck.Keys);
        Assert.Equal(1, Dense(afterCheck["uncheck(3)"], WebFeatures.ValuePlaced));
        Assert.Equal(0, Dense(afterCheck["check(1)"], WebFeatures.ValuePlaced));

        var settings = new WebObservation("Turn \"Wi-Fi\" off and press Save.", "http://127.0.0.1:1/e/ab/", "Settings",
            [new WebElement(1, "switch", "input", "Wi-Fi", "on", Interactive: true, Checked: true, InputType: "checkbox")], 0);
        Assert.Equal(0, Dense(WebFeatures.Candidates(settings, []).Single(), WebFeatures.ValuePlaced));
    }

    [Fact]
    public void A_selected_tab_named_by_the_goal_places_its_value()
    {
        WebObservation Tabs(bool targetOpen) => new("Open the \"Sports\" tab and press its Select button.", "http://127.0.0.1:1/e/ab/", "Tabs",
            [
                new WebElement(1, "tab", "a", "News", Interactive: true, Selected: !targetOpen),
                new WebElement(2, "tab", "a", "Sports", Interactive: true, Selected: targetOpen),
                new WebElement(3, "button", "button", "Select", Interactive: true),
            ], targetOpen ? 1 : 0);
        float SelectAllPlaced(bool targetOpen) => Dense(WebFeatures.Candidates(Tabs(targetOpen), []).Single(c => c.Action.ElementId == 3), WebFeatures.AllPlaced);

        Assert.Equal(0, SelectAllPlaced(targetOpen: false));
        Assert.Equal(1, SelectAllPlaced(targetOpen: true));
    }

    [Fact]
    public void A_snapshot_restores_the_exact_policy_after_more_training()
    {
        using var policy = WebAgentPolicy.Untrained(seed: 3, hidden: 16);
        var candidates = WebFeatures.Candidates(Login(), []);
        var before = policy.Probabilities(candidates, 1);
        var snapshot = policy.Snapshot();
        WebPolicyTrainer.Train(policy.Network, [new ImitationExample([.. candidates.Select(c => c.Features)], 4)], steps: 50, batchSize: 1, learningRate: 0.01, seed: 1);
        Assert.True(policy.Probabilities(candidates, 1)[4] > before[4] + 0.1, "training moved the policy toward the imitated click");

        policy.Restore(snapshot);

        AssertClose(before, policy.Probabilities(candidates, 1));
        foreach (var t in snapshot.Values)
        {
            t.Dispose();
        }
    }

    // Torch's CPU kernels may split a reduction differently from one call to the next (threads busy elsewhere in the test
    // run), so the same weights agree to rounding, not bit for bit.
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5f);
        }
    }

    private static float Dense(WebCandidate candidate, int flag) => candidate.Features[WebFeatures.DenseOffset + flag];

    [Fact]
    public void Self_imitation_makes_the_imitated_action_greedy_and_a_checkpoint_round_trips()
    {
        using var policy = WebAgentPolicy.Untrained(seed: 2, hidden: 16);
        var candidates = WebFeatures.Candidates(Login(), []);
        var target = candidates.FindIndex(c => c.Action.ToString() == "fill(2, \"dana\")");
        WebPolicyTrainer.Train(policy.Network, [new ImitationExample([.. candidates.Select(c => c.Features)], target)], steps: 100, batchSize: 1, learningRate: 0.01, seed: 1);
        Assert.Equal("fill(2, \"dana\")", policy.Decide(Login(), []).Action.Action.ToString());

        var path = Path.Combine(Path.GetTempPath(), $"web-policy-{Guid.NewGuid():N}.bin");
        try
        {
            var file = policy.Save(path);
            using var loaded = WebAgentPolicy.Load(path, expectedSha256: file.Sha256);
            AssertClose(policy.Probabilities(candidates, 1), loaded.Probabilities(candidates, 1));
            Assert.Throws<InvalidDataException>(() => WebAgentPolicy.Load(path, expectedSha256: new string('0', 64)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
