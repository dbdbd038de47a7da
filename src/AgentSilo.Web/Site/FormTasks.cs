using static AgentSilo.Web.Site.Html;

namespace AgentSilo.Web.Site;

/// <summary>
/// An instance whose start page is one form (or a set of buttons) that submits to <c>submit</c>; the submission
/// ends the episode with reward 1 when <see cref="IsCorrect"/> holds.
/// </summary>
internal abstract class FormInstance : SiteInstance
{
    protected abstract string Title { get; }

    protected abstract string StartPage();

    protected abstract bool IsCorrect(SiteArgs args);

    public override string Respond(SiteEpisode episode, string page, SiteArgs args)
    {
        if (page == "submit")
        {
            var success = IsCorrect(args);
            episode.Finish(success);
            return Page(Title, Finished(success));
        }

        return Page(Title, StartPage());
    }
}

internal sealed class ClickButtonTask : SiteTask
{
    public override string Id => "click-button";

    public override string Description => "click the button with a given label among 3-6";

    protected override SiteInstance Generate(Random random)
    {
        var labels = Words.Pick(random, Words.Common, random.Next(3, 7));
        return new Instance(labels, labels[random.Next(labels.Count)]);
    }

    private sealed class Instance(List<string> labels, string target) : FormInstance
    {
        public override string Goal => $"Click the \"{target}\" button.";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Click($"#b-{target}")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Click($"#b-{labels.First(l => l != target)}")];

        protected override string Title => "Buttons";

        protected override string StartPage() =>
            "<form action=\"submit\">" + string.Join(" ", labels.Select(l => Button($"b-{l}", l, "pick", l))) + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args["pick"] == target;
    }
}

internal sealed class ClickLinkTask : SiteTask
{
    public override string Id => "click-link";

    public override string Description => "click the link with a given text among 3-6, between paragraphs";

    protected override SiteInstance Generate(Random random)
    {
        var texts = Words.Pick(random, Words.Common, random.Next(3, 7));
        return new Instance(texts, texts[random.Next(texts.Count)]);
    }

    private sealed class Instance(List<string> texts, string target) : FormInstance
    {
        public override string Goal => $"Click the link \"{target}\".";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Click($"#l-{target}")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Click($"#l-{texts.First(t => t != target)}")];

        protected override string Title => "Links";

        protected override string StartPage() =>
            string.Concat(texts.Select(t => $"<p>Read more about {E(t)}: {Link($"l-{t}", $"submit?pick={Uri.EscapeDataString(t)}", t)}</p>"));

        protected override bool IsCorrect(SiteArgs args) => args["pick"] == target;
    }
}

internal sealed class EnterTextTask : SiteTask
{
    public override string Id => "enter-text";

    public override string Description => "type a given word into a text box and submit";

    protected override SiteInstance Generate(Random random) => new Instance(Words.Common[random.Next(Words.Common.Length)]);

    private sealed class Instance(string word) : FormInstance
    {
        public override string Goal => $"Type \"{word}\" into the text box and press Submit.";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Fill("#text", word), SolutionStep.Click("#submit")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Click("#submit")];

        protected override string Title => "Enter text";

        protected override string StartPage() => "<form action=\"submit\">" + TextInput("text", "Text") + Button("submit", "Submit") + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args["text"] == word;
    }
}

internal sealed class LoginTask : SiteTask
{
    public override string Id => "login";

    public override string Description => "log in with a given username and password";

    protected override SiteInstance Generate(Random random) =>
        new Instance(Words.Names[random.Next(Words.Names.Length)], Words.Password(random), random.Next(2) == 0);

    private sealed class Instance(string user, string password, bool rememberFirst) : FormInstance
    {
        public override string Goal => $"Log in with username \"{user}\" and password \"{password}\".";

        public override IReadOnlyList<SolutionStep> Solution =>
            [SolutionStep.Fill("#username", user), SolutionStep.Fill("#password", password), SolutionStep.Click("#login")];

        public override IReadOnlyList<SolutionStep> WrongSolution =>
            [SolutionStep.Fill("#username", password), SolutionStep.Fill("#password", user), SolutionStep.Click("#login")];

        protected override string Title => "Log in";

        protected override string StartPage()
        {
            var remember = "<p><label><input type=\"checkbox\" id=\"remember\" name=\"remember\">Remember me</label></p>";
            return "<form action=\"submit\"><h2>Sign in</h2>" + (rememberFirst ? remember : "") + TextInput("username", "Username") +
                TextInput("password", "Password", "password") + (rememberFirst ? "" : remember) + Button("login", "Log in") + "</form>";
        }

        protected override bool IsCorrect(SiteArgs args) => args["username"] == user && args["password"] == password;
    }
}

internal sealed class SelectOptionTask : SiteTask
{
    public override string Id => "select-option";

    public override string Description => "pick a given option from a dropdown and submit";

    protected override SiteInstance Generate(Random random)
    {
        var options = Words.Pick(random, Words.Common, random.Next(4, 8));
        return new Instance(options, options[random.Next(1, options.Count)]);
    }

    private sealed class Instance(List<string> options, string target) : FormInstance
    {
        public override string Goal => $"Select \"{target}\" from the list and press Submit.";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Select("#choice", target), SolutionStep.Click("#submit")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Click("#submit")];

        protected override string Title => "Select";

        protected override string StartPage() =>
            "<form action=\"submit\"><p><label for=\"choice\">Choice</label><select id=\"choice\" name=\"choice\">" +
            string.Concat(options.Select(o => $"<option value=\"{E(o)}\">{E(o)}</option>")) + "</select></p>" + Button("submit", "Submit") + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args["choice"] == target;
    }
}

internal sealed class ClickCheckboxesTask : SiteTask
{
    public override string Id => "click-checkboxes";

    public override string Description => "check exactly the given 1-3 boxes among 3-6, then submit";

    protected override SiteInstance Generate(Random random)
    {
        var labels = Words.Pick(random, Words.Common, random.Next(3, 7));
        var targets = Words.Pick(random, labels, random.Next(1, Math.Min(3, labels.Count - 1) + 1));
        return new Instance(labels, targets);
    }

    private sealed class Instance(List<string> labels, List<string> targets) : FormInstance
    {
        public override string Goal =>
            $"Check {string.Join(", ", targets.Select(t => $"\"{t}\""))} and nothing else, then press Submit.";

        public override IReadOnlyList<SolutionStep> Solution => [.. targets.Select(t => SolutionStep.Check($"#c-{t}")), SolutionStep.Click("#submit")];

        public override IReadOnlyList<SolutionStep> WrongSolution =>
            [SolutionStep.Check($"#c-{labels.First(l => !targets.Contains(l))}"), .. targets.Select(t => SolutionStep.Check($"#c-{t}")), SolutionStep.Click("#submit")];

        protected override string Title => "Checkboxes";

        protected override string StartPage() =>
            "<form action=\"submit\">" +
            string.Concat(labels.Select(l => $"<p><input type=\"checkbox\" id=\"c-{E(l)}\" name=\"pick\" value=\"{E(l)}\"><label for=\"c-{E(l)}\">{E(l)}</label></p>")) +
            Button("submit", "Submit") + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args.All("pick").Order().SequenceEqual(targets.Order());
    }
}

internal sealed class ChooseRadioTask : SiteTask
{
    public override string Id => "choose-radio";

    public override string Description => "choose a given radio button among 3-5, then submit";

    protected override SiteInstance Generate(Random random)
    {
        var labels = Words.Pick(random, Words.Colors, random.Next(3, 6));
        return new Instance(labels, labels[random.Next(labels.Count)]);
    }

    private sealed class Instance(List<string> labels, string target) : FormInstance
    {
        public override string Goal => $"Choose \"{target}\" and press Submit.";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Check($"#r-{target}"), SolutionStep.Click("#submit")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Check($"#r-{labels.First(l => l != target)}"), SolutionStep.Click("#submit")];

        protected override string Title => "Radio buttons";

        protected override string StartPage() =>
            "<form action=\"submit\"><p>Favourite colour:</p>" +
            string.Concat(labels.Select(l => $"<p><input type=\"radio\" id=\"r-{E(l)}\" name=\"pick\" value=\"{E(l)}\"><label for=\"r-{E(l)}\">{E(l)}</label></p>")) +
            Button("submit", "Submit") + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args["pick"] == target;
    }
}

internal sealed class ToggleTask : SiteTask
{
    public override string Id => "toggle";

    public override string Description => "turn one named switch on or off, leave the others, then save";

    protected override SiteInstance Generate(Random random)
    {
        var settings = Words.Pick(random, Words.Settings, random.Next(3, 5));
        var initial = settings.ToDictionary(s => s, _ => random.Next(2) == 0);
        var target = settings[random.Next(settings.Count)];
        return new Instance(settings, initial, target);
    }

    private sealed class Instance(List<string> settings, Dictionary<string, bool> initial, string target) : FormInstance
    {
        private static string Id(string setting) => "s-" + setting.Replace(' ', '-');

        private bool TurnOn => !initial[target];

        public override string Goal => $"Turn \"{target}\" {(TurnOn ? "on" : "off")} and press Save.";

        public override IReadOnlyList<SolutionStep> Solution =>
            [TurnOn ? SolutionStep.Check($"#{Id(target)}") : SolutionStep.Uncheck($"#{Id(target)}"), SolutionStep.Click("#save")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Click("#save")];

        protected override string Title => "Settings";

        protected override string StartPage() =>
            "<form action=\"submit\"><h2>Settings</h2>" +
            string.Concat(settings.Select(s =>
                $"<p><input type=\"checkbox\" role=\"switch\" id=\"{Id(s)}\" name=\"on\" value=\"{E(s)}\"{(initial[s] ? " checked" : "")}><label for=\"{Id(s)}\">{E(s)}</label></p>")) +
            Button("save", "Save") + "</form>";

        protected override bool IsCorrect(SiteArgs args)
        {
            var on = args.All("on").ToHashSet();
            return settings.All(s => on.Contains(s) == (s == target ? TurnOn : initial[s]));
        }
    }
}

internal sealed class EnterDateTask : SiteTask
{
    public override string Id => "enter-date";

    public override string Description => "enter a given date into a date field and submit";

    protected override SiteInstance Generate(Random random) =>
        new Instance(new DateOnly(2000, 1, 1).AddDays(random.Next(0, 365 * 30)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    private sealed class Instance(string date) : FormInstance
    {
        public override string Goal => $"Enter the date \"{date}\" and press Submit.";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Fill("#date", date), SolutionStep.Click("#submit")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Fill("#date", "1999-12-31"), SolutionStep.Click("#submit")];

        protected override string Title => "Date";

        protected override string StartPage() => "<form action=\"submit\">" + TextInput("date", "Date", "date") + Button("submit", "Submit") + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args["date"] == date;
    }
}

internal sealed class FormFieldsTask : SiteTask
{
    public override string Id => "form-fields";

    public override string Description => "fill a name, email and city form (fields in random order), then submit";

    protected override SiteInstance Generate(Random random)
    {
        var name = Words.Names[random.Next(Words.Names.Length)];
        var email = $"{name}{random.Next(10, 99)}@example.org";
        var city = Words.Cities[random.Next(Words.Cities.Length)];
        string[] order = ["name", "email", "city"];
        return new Instance(name, email, city, [.. order.OrderBy(_ => random.Next())]);
    }

    private sealed class Instance(string name, string email, string city, List<string> order) : FormInstance
    {
        public override string Goal => $"Fill in the form with name \"{name}\", email \"{email}\" and city \"{city}\", then press Submit.";

        public override IReadOnlyList<SolutionStep> Solution =>
            [SolutionStep.Fill("#name", name), SolutionStep.Fill("#email", email), SolutionStep.Fill("#city", city), SolutionStep.Click("#submit")];

        public override IReadOnlyList<SolutionStep> WrongSolution =>
            [SolutionStep.Fill("#name", city), SolutionStep.Fill("#email", email), SolutionStep.Fill("#city", name), SolutionStep.Click("#submit")];

        protected override string Title => "Contact form";

        protected override string StartPage() =>
            "<form action=\"submit\"><h2>Contact</h2>" +
            string.Concat(order.Select(f => f switch
            {
                "name" => TextInput("name", "Name"),
                "email" => TextInput("email", "Email", "email"),
                _ => TextInput("city", "City"),
            })) + Button("submit", "Submit") + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args["name"] == name && args["email"] == email && args["city"] == city;
    }
}

internal sealed class ConfirmPasswordTask : SiteTask
{
    public override string Id => "confirm-password";

    public override string Description => "type a new password into both fields, then save";

    protected override SiteInstance Generate(Random random) => new Instance(Words.Password(random));

    private sealed class Instance(string password) : FormInstance
    {
        public override string Goal => $"Set the new password \"{password}\" in both fields and press Save.";

        public override IReadOnlyList<SolutionStep> Solution =>
            [SolutionStep.Fill("#new", password), SolutionStep.Fill("#confirm", password), SolutionStep.Click("#save")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Fill("#new", password), SolutionStep.Click("#save")];

        protected override string Title => "Change password";

        protected override string StartPage() =>
            "<form action=\"submit\"><h2>Change password</h2>" + TextInput("new", "New password", "password") +
            TextInput("confirm", "Confirm password", "password") + Button("save", "Save") + "</form>";

        protected override bool IsCorrect(SiteArgs args) => args["new"] == password && args["confirm"] == password;
    }
}
