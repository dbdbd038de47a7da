using System.Security.Cryptography;
using System.Text.Json;
using AgentSilo.Learning;
using AgentSilo.Web.Policy;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AgentSilo.Web.WorldModel;

/// <summary>One real step: the page before, the action taken among its candidates, the page after, and what it led to.</summary>
/// <param name="Before">The observation the action was taken in.</param>
/// <param name="Action">The chosen candidate (its features encode goal, element, action and page).</param>
/// <param name="After">The observation after the action.</param>
/// <param name="Reward">The reward after the step.</param>
/// <param name="Done">Whether the episode ended with this step.</param>
/// <param name="SuccessToGo">1 when the episode this step belongs to ended in success, else 0 (the value target).</param>
public sealed record WebTransition(WebObservation Before, WebCandidate Action, WebObservation After, double Reward, bool Done, double SuccessToGo);

/// <summary>How an element changes under an action.</summary>
public enum ElementChange
{
    Unchanged,
    Changed,
    Removed,
}

/// <summary>The world model's prediction for one (observation, action).</summary>
/// <param name="UrlChange">Probability the URL changes (a navigation).</param>
/// <param name="Done">Probability the episode ends.</param>
/// <param name="Reward">Probability the step earns the reward.</param>
/// <param name="Value">Probability the episode still ends in success after this action.</param>
/// <param name="Elements">Per current element id, the predicted change.</param>
/// <param name="Appearing">Hashed element-bag buckets predicted to appear (probability above one half), strongest first.</param>
public sealed record WorldModelPrediction(float UrlChange, float Done, float Reward, float Value, IReadOnlyDictionary<int, ElementChange> Elements, IReadOnlyList<int> Appearing);

/// <summary>
/// WebEvolver's world model, small: a trunk over the chosen action's features (goal, element, action type, page) with
/// heads for URL change, episode end, reward and success-to-go, a per-element head for which elements stay, change or
/// disappear, and a hashed bag of the elements that appear. Trained on real transitions, successful and failed alike.
/// </summary>
public sealed class WebWorldModel : nn.Module<Tensor, Tensor>
{
    private const int ElementInput = WebFeatures.ElementBuckets + 4;
    private static readonly Scalar Half = 0.5f.ToScalar();

    private readonly Linear _trunk;
    private readonly Linear _trunk2;
    private readonly Linear _heads;
    private readonly Linear _appear;
    private readonly Linear _element;
    private readonly Linear _elementOut;

    public WebWorldModel(int hidden = 64) : base(nameof(WebWorldModel))
    {
        Hidden = hidden;
        _trunk = nn.Linear(WebFeatures.Size, hidden);
        _trunk2 = nn.Linear(hidden, hidden);
        _heads = nn.Linear(hidden, 4);
        _appear = nn.Linear(hidden, WebFeatures.ElementBuckets);
        _element = nn.Linear(hidden + ElementInput, hidden);
        _elementOut = nn.Linear(hidden, 3);
        RegisterComponents();
    }

    public int Hidden { get; }

    /// <summary>The trunk: [batch, features] to [batch, hidden].</summary>
    public override Tensor forward(Tensor action)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(_trunk.forward(action));
        return nn.functional.relu(_trunk2.forward(h)).MoveToOuterDisposeScope();
    }

    private Tensor ElementLogits(Tensor trunk, Tensor elements)
    {
        // trunk [B, H], elements [B, E, ElementInput] -> [B, E, 3]
        var expanded = trunk.unsqueeze(1).expand(trunk.shape[0], elements.shape[1], trunk.shape[1]);
        return _elementOut.forward(nn.functional.relu(_element.forward(cat([expanded, elements], 2))));
    }

    /// <summary>Element inputs: its hashed bag, whether the action targets it, whether it holds a value, is checked, is interactive.</summary>
    internal static float[] ElementFeatures(WebElement e, WebAction action)
    {
        var f = new float[ElementInput];
        WebFeatures.ElementBag(e).CopyTo(f, 0);
        f[WebFeatures.ElementBuckets] = action.ElementId == e.Id ? 1 : 0;
        f[WebFeatures.ElementBuckets + 1] = string.IsNullOrEmpty(e.Value) ? 0 : 1;
        f[WebFeatures.ElementBuckets + 2] = e.Checked is true ? 1 : 0;
        f[WebFeatures.ElementBuckets + 3] = e.Interactive ? 1 : 0;
        return f;
    }

    /// <summary>What happened to each element of <paramref name="before"/> in <paramref name="after"/> (ids are stable within a document).</summary>
    public static Dictionary<int, ElementChange> Changes(WebObservation before, WebObservation after)
    {
        var changes = new Dictionary<int, ElementChange>();
        var navigated = before.Url != after.Url;
        foreach (var e in before.Elements)
        {
            var next = navigated ? null : after.Find(e.Id);
            changes[e.Id] = next is null || next.Text != e.Text ? ElementChange.Removed
                : next.Value != e.Value || next.Checked != e.Checked || next.Selected != e.Selected || next.Expanded != e.Expanded ? ElementChange.Changed
                : ElementChange.Unchanged;
        }

        return changes;
    }

    /// <summary>The hashed bag buckets of elements in <paramref name="after"/> that were not in <paramref name="before"/>.</summary>
    public static float[] AppearingBag(WebObservation before, WebObservation after)
    {
        var bag = new float[WebFeatures.ElementBuckets];
        var navigated = before.Url != after.Url;
        foreach (var e in after.Elements)
        {
            var old = navigated ? null : before.Find(e.Id);
            if (old is null || old.Text != e.Text)
            {
                var eb = WebFeatures.ElementBag(e);
                for (var i = 0; i < bag.Length; i++)
                {
                    bag[i] = Math.Max(bag[i], eb[i] > 0 ? 1 : 0);
                }
            }
        }

        return bag;
    }

    /// <summary>Trains on <paramref name="transitions"/>; returns the mean loss of the last tenth of the steps.</summary>
    public double Train(IReadOnlyList<WebTransition> transitions, int steps, int batchSize, double learningRate, int seed)
    {
        if (transitions.Count == 0 || steps <= 0)
        {
            return double.NaN;
        }

        var random = new Random(seed);
        using var optimizer = optim.Adam(parameters(), learningRate);
        train();
        var tail = Math.Max(1, steps / 10);
        double tailLoss = 0;
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, Math.Min(batchSize, transitions.Count)).Select(_ => transitions[random.Next(transitions.Count)]).ToList();
            var b = batch.Count;
            var actions = tensor(batch.SelectMany(t => t.Action.Features).ToArray(), [b, WebFeatures.Size]);
            var heads = tensor(batch.SelectMany(t => new[]
            {
                t.Before.Url != t.After.Url ? 1f : 0f, t.Done ? 1f : 0f, t.Reward >= 1 ? 1f : 0f, (float)t.SuccessToGo,
            }).ToArray(), [b, 4]);
            var appear = tensor(batch.SelectMany(t => AppearingBag(t.Before, t.After)).ToArray(), [b, WebFeatures.ElementBuckets]);
            var width = Math.Max(1, batch.Max(t => t.Before.Elements.Count));
            var elements = new float[b * width * ElementInput];
            var labels = new long[b * width];
            var mask = new float[b * width];
            for (var i = 0; i < b; i++)
            {
                var changes = Changes(batch[i].Before, batch[i].After);
                for (var j = 0; j < batch[i].Before.Elements.Count; j++)
                {
                    var e = batch[i].Before.Elements[j];
                    ElementFeatures(e, batch[i].Action.Action).CopyTo(elements, ((i * width) + j) * ElementInput);
                    labels[(i * width) + j] = (long)changes[e.Id];
                    mask[(i * width) + j] = 1;
                }
            }

            var trunk = forward(actions);
            var headLoss = nn.functional.binary_cross_entropy_with_logits(_heads.forward(trunk), heads);
            var appearLoss = nn.functional.binary_cross_entropy_with_logits(_appear.forward(trunk), appear);
            var elementLogits = ElementLogits(trunk, tensor(elements, [b, width, ElementInput])).reshape(b * width, 3);
            var perElement = nn.functional.cross_entropy(elementLogits, tensor(labels), reduction: nn.Reduction.None);
            var maskT = tensor(mask);
            var elementLoss = perElement.mul(maskT).sum().div(maskT.sum());
            var loss = headLoss.add(appearLoss).add(elementLoss);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (step >= steps - tail)
            {
                tailLoss += loss.item<float>();
            }
        }

        eval();
        return tailLoss / tail;
    }

    /// <summary>Predicts the outcome of <paramref name="action"/> in <paramref name="observation"/>.</summary>
    public WorldModelPrediction Predict(WebObservation observation, WebCandidate action) => PredictMany(observation, [action])[0];

    /// <summary>Predicts the outcomes of several candidate actions in one batch.</summary>
    public IReadOnlyList<WorldModelPrediction> PredictMany(WebObservation observation, IReadOnlyList<WebCandidate> actions)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var b = actions.Count;
        var trunk = forward(tensor(actions.SelectMany(a => a.Features).ToArray(), [b, WebFeatures.Size]));
        var heads = _heads.forward(trunk).sigmoid().data<float>().ToArray();
        var appear = _appear.forward(trunk).sigmoid().data<float>().ToArray();
        var width = Math.Max(1, observation.Elements.Count);
        var elements = new float[b * width * ElementInput];
        for (var i = 0; i < b; i++)
        {
            for (var j = 0; j < observation.Elements.Count; j++)
            {
                ElementFeatures(observation.Elements[j], actions[i].Action).CopyTo(elements, ((i * width) + j) * ElementInput);
            }
        }

        var classes = ElementLogits(trunk, tensor(elements, [b, width, ElementInput])).argmax(-1).data<long>().ToArray();
        var predictions = new List<WorldModelPrediction>(b);
        for (var i = 0; i < b; i++)
        {
            var changes = new Dictionary<int, ElementChange>();
            for (var j = 0; j < observation.Elements.Count; j++)
            {
                changes[observation.Elements[j].Id] = (ElementChange)classes[(i * width) + j];
            }

            var appearing = Enumerable.Range(0, WebFeatures.ElementBuckets)
                .Where(k => appear[(i * WebFeatures.ElementBuckets) + k] > 0.5f)
                .OrderByDescending(k => appear[(i * WebFeatures.ElementBuckets) + k]).ToList();
            predictions.Add(new WorldModelPrediction(heads[i * 4], heads[(i * 4) + 1], heads[(i * 4) + 2], heads[(i * 4) + 3], changes, appearing));
        }

        return predictions;
    }

    /// <summary>Writes the model atomically; returns its file and hash.</summary>
    public CheckpointFile SaveTo(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.tmp-{Guid.NewGuid():N}";
        using (var stream = new FileStream(temporary, FileMode.CreateNew))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(JsonSerializer.Serialize(new { format = "agentsilo-web-world-model", hidden = Hidden, features = WebFeatures.Size }));
            save(writer);
        }

        File.Move(temporary, full, overwrite: true);
        var bytes = File.ReadAllBytes(full);
        return new CheckpointFile(full, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength);
    }

    /// <summary>Loads a model written by <see cref="SaveTo"/>.</summary>
    public static WebWorldModel LoadFrom(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        using var header = JsonDocument.Parse(reader.ReadString());
        var model = new WebWorldModel(header.RootElement.GetProperty("hidden").GetInt32());
        model.load(reader);
        model.eval();
        return model;
    }

    internal static Scalar Threshold => Half;
}
