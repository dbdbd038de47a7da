using static AgentSilo.Web.Site.Html;

namespace AgentSilo.Web.Site;

internal sealed class ClickTabTask : SiteTask
{
    public override string Id => "click-tab";

    public override string Description => "open a given tab, then press the button inside it";

    protected override SiteInstance Generate(Random random)
    {
        var tabs = Words.Pick(random, Words.Sections, random.Next(3, 6));
        return new Instance(tabs, tabs[random.Next(1, tabs.Count)]);
    }

    private sealed class Instance(List<string> tabs, string target) : SiteInstance
    {
        public override string Goal => $"Open the \"{target}\" tab and press its Select button.";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Click($"#t-{target}"), SolutionStep.Click("#select")];

        public override IReadOnlyList<SolutionStep> WrongSolution => [SolutionStep.Click("#select")];

        public override string Respond(SiteEpisode episode, string page, SiteArgs args)
        {
            if (page == "submit")
            {
                var success = args["tab"] == target;
                episode.Finish(success);
                return Page("Tabs", Finished(success));
            }

            var open = args["tab"] is { } t && tabs.Contains(t) ? t : tabs[0];
            var nav = "<nav role=\"tablist\">" + string.Join(" ", tabs.Select(t =>
                $"<a role=\"tab\" id=\"t-{E(t)}\" aria-selected=\"{(t == open ? "true" : "false")}\" href=\"?tab={Uri.EscapeDataString(t)}\">{E(t)}</a>")) + "</nav>";
            var panel = $"<section role=\"tabpanel\"><p>Articles about {E(open)}.</p><form action=\"submit\">" +
                $"<input type=\"hidden\" name=\"tab\" value=\"{E(open)}\">" + Button("select", "Select") + "</form></section>";
            return Page("Tabs", nav + panel);
        }
    }
}

internal sealed class ClickMenuTask : SiteTask
{
    public override string Id => "click-menu";

    public override string Description => "open a given menu, then click a given item in it";

    protected override SiteInstance Generate(Random random)
    {
        var menus = Words.Pick(random, Words.Menus, random.Next(3, 5));
        var items = menus.ToDictionary(m => m, _ => Words.Pick(random, Words.Common, 3));
        var menu = menus[random.Next(menus.Count)];
        return new Instance(menus, items, menu, items[menu][random.Next(3)]);
    }

    private sealed class Instance(List<string> menus, Dictionary<string, List<string>> items, string menu, string item) : SiteInstance
    {
        public override string Goal => $"Open the \"{menu}\" menu and click \"{item}\".";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Click($"#m-{menu}"), SolutionStep.Click($"#i-{item}")];

        public override IReadOnlyList<SolutionStep> WrongSolution
        {
            get
            {
                var other = menus.First(m => m != menu);
                return [SolutionStep.Click($"#m-{other}"), SolutionStep.Click($"#i-{items[other][0]}")];
            }
        }

        public override string Respond(SiteEpisode episode, string page, SiteArgs args)
        {
            if (page == "submit")
            {
                var success = args["menu"] == menu && args["item"] == item;
                episode.Finish(success);
                return Page("Menu", Finished(success));
            }

            var open = args["menu"] is { } m && menus.Contains(m) ? m : null;
            var bar = "<nav role=\"menubar\">" + string.Join(" ", menus.Select(m =>
                $"<a role=\"button\" id=\"m-{E(m)}\" aria-expanded=\"{(m == open ? "true" : "false")}\" href=\"?menu={Uri.EscapeDataString(m)}\">{E(m)}</a>")) + "</nav>";
            var list = open is null ? "" :
                "<ul role=\"menu\">" + string.Concat(items[open].Select(i =>
                    $"<li><a role=\"menuitem\" id=\"i-{E(i)}\" href=\"submit?menu={Uri.EscapeDataString(open)}&amp;item={Uri.EscapeDataString(i)}\">{E(i)}</a></li>")) + "</ul>";
            return Page("Menu", bar + list + "<p>Pick a menu.</p>");
        }
    }
}

internal sealed class NavigateTask : SiteTask
{
    public override string Id => "navigate";

    public override int MaxSteps => 8;

    public override string Description => "follow two levels of links to a page and confirm there";

    protected override SiteInstance Generate(Random random)
    {
        var sections = Words.Pick(random, Words.Sections, 4);
        var subs = sections.ToDictionary(s => s, _ => Words.Pick(random, Words.Common, 3));
        var section = sections[random.Next(sections.Count)];
        return new Instance(sections, subs, section, subs[section][random.Next(3)]);
    }

    private sealed class Instance(List<string> sections, Dictionary<string, List<string>> subs, string section, string sub) : SiteInstance
    {
        public override string Goal => $"Go to \"{section}\", then \"{sub}\", and press Confirm.";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Click($"#n-{section}"), SolutionStep.Click($"#n-{sub}"), SolutionStep.Click("#confirm")];

        public override IReadOnlyList<SolutionStep> WrongSolution
        {
            get
            {
                var other = sections.First(s => s != section);
                return [SolutionStep.Click($"#n-{other}"), SolutionStep.Click($"#n-{subs[other][0]}"), SolutionStep.Click("#confirm")];
            }
        }

        public override string Respond(SiteEpisode episode, string page, SiteArgs args)
        {
            var home = "<p>" + Link("home", "./", "Home") + "</p>";
            switch (page)
            {
                case "section" when args["s"] is { } s && sections.Contains(s):
                    return Page(s, home + $"<h2>{E(s)}</h2>" + Items(subs[s].Select(x =>
                        Link($"n-{x}", $"leaf?s={Uri.EscapeDataString(s)}&x={Uri.EscapeDataString(x)}", x))));
                case "leaf" when args["s"] is { } s && args["x"] is { } x:
                    return Page(x, home + $"<h2>{E(x)}</h2><p>You are reading about {E(x)} in {E(s)}.</p><form action=\"submit\">" +
                        $"<input type=\"hidden\" name=\"s\" value=\"{E(s)}\"><input type=\"hidden\" name=\"x\" value=\"{E(x)}\">" +
                        Button("confirm", "Confirm") + "</form>");
                case "submit":
                    var success = args["s"] == section && args["x"] == sub;
                    episode.Finish(success);
                    return Page("Done", Finished(success));
                default:
                    return Page("Home", "<h2>Sections</h2>" + Items(sections.Select(s => Link($"n-{s}", $"section?s={Uri.EscapeDataString(s)}", s))));
            }
        }
    }
}

internal sealed class SearchOpenTask : SiteTask
{
    public override string Id => "search-open";

    public override string Description => "search a catalogue for a word, then open the named result";

    protected override SiteInstance Generate(Random random)
    {
        var product = Words.Products[random.Next(Words.Products.Length)];
        var colors = Words.Pick(random, Words.Colors, 4);
        var others = Words.Pick(random, [.. Words.Products.Where(p => p != product)], 3);
        var catalogue = colors.Select(c => $"{c} {product}").Concat(others.Select(o => $"{colors[0]} {o}")).ToList();
        return new Instance(catalogue, product, $"{colors[random.Next(colors.Count)]} {product}");
    }

    private sealed class Instance(List<string> catalogue, string term, string target) : SiteInstance
    {
        private static string Id(string item) => "p-" + item.Replace(' ', '-');

        public override string Goal => $"Search for \"{term}\" and open \"{target}\".";

        public override IReadOnlyList<SolutionStep> Solution => [SolutionStep.Fill("#q", term), SolutionStep.Click("#search"), SolutionStep.Click($"#{Id(target)}")];

        public override IReadOnlyList<SolutionStep> WrongSolution =>
            [SolutionStep.Fill("#q", term), SolutionStep.Click("#search"), SolutionStep.Click($"#{Id(catalogue.First(c => c != target && c.EndsWith(term, StringComparison.Ordinal)))}")];

        public override string Respond(SiteEpisode episode, string page, SiteArgs args)
        {
            var form = "<form action=\"results\" role=\"search\">" + TextInput("q", "Search") + Button("search", "Search") + "</form>";
            switch (page)
            {
                case "results":
                    var q = (args["q"] ?? "").Trim();
                    var hits = q.Length == 0 ? [] : catalogue.Where(c => c.Contains(q, StringComparison.OrdinalIgnoreCase)).OrderBy(c => c, StringComparer.Ordinal).ToList();
                    return Page("Results", form + $"<p>{hits.Count} results</p>" +
                        Items(hits.Select(h => Link(Id(h), $"item?p={Uri.EscapeDataString(h)}", h))));
                case "item":
                    var success = args["p"] == target;
                    episode.Finish(success);
                    return Page("Item", Finished(success));
                default:
                    return Page("Shop search", "<h2>Catalogue search</h2>" + form);
            }
        }
    }
}

internal sealed class ShoppingTask : SiteTask
{
    public override string Id => "shopping";

    public override int MaxSteps => 10;

    public override string Description => "add a given product to the cart, open the cart, check out and place the order";

    protected override SiteInstance Generate(Random random)
    {
        var products = Words.Pick(random, Words.Products, random.Next(3, 6));
        return new Instance(products, products[random.Next(products.Count)]);
    }

    private sealed class Instance(List<string> products, string target) : SiteInstance
    {
        public override string Goal => $"Buy one \"{target}\": add it to the cart, open the cart, check out and place the order.";

        public override IReadOnlyList<SolutionStep> Solution =>
            [SolutionStep.Click($"#add-{target}"), SolutionStep.Click("#cart"), SolutionStep.Click("#checkout"), SolutionStep.Click("#place")];

        public override IReadOnlyList<SolutionStep> WrongSolution =>
            [SolutionStep.Click($"#add-{products.First(p => p != target)}"), SolutionStep.Click("#cart"), SolutionStep.Click("#checkout"), SolutionStep.Click("#place")];

        public override string Respond(SiteEpisode episode, string page, SiteArgs args)
        {
            var cart = episode.State.TryGetValue("cart", out var c) && c.Length > 0 ? [.. c.Split('|')] : new List<string>();
            if (page == "add" && args["p"] is { } p && products.Contains(p))
            {
                cart.Add(p);
                episode.State["cart"] = string.Join('|', cart);
            }

            var header = "<nav>" + Link("catalogue", "./", "Catalogue") + " " + Link("cart", "cart", $"Cart ({cart.Count})") + "</nav>";
            switch (page)
            {
                case "cart":
                    return Page("Cart", header + "<h2>Your cart</h2>" + (cart.Count == 0 ? "<p>The cart is empty.</p>" : Items(cart.Select(E))) +
                        "<form action=\"checkout\">" + Button("checkout", "Checkout") + "</form>");
                case "checkout":
                    return Page("Checkout", header + $"<h2>Checkout</h2><p>{cart.Count} items.</p><form action=\"place\">" + Button("place", "Place order") + "</form>");
                case "place":
                    var success = cart.Count == 1 && cart[0] == target;
                    episode.Finish(success);
                    return Page("Order", Finished(success));
                default:
                    return Page("Shop", header + "<h2>Catalogue</h2>" + string.Concat(products.Select(x =>
                        $"<form action=\"add\"><p>{E(x)} <input type=\"hidden\" name=\"p\" value=\"{E(x)}\">{Button($"add-{x}", $"Add {x} to cart")}</p></form>")));
            }
        }
    }
}
