using System.Text.Json;
using AgentSilo.Web;
using AgentSilo.Web.Policy;
using AgentSilo.Web.WorldModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentSilo.Grains;

/// <summary>
/// Thin over <see cref="WebWorldModel"/>: training runs on its own thread (a grain call only starts it; poll
/// <see cref="GetStatusAsync"/>); predictions are small batched forward passes.
/// </summary>
public sealed class WorldModelGrain(IOptions<AgentSiloOptions> options, ILogger<WorldModelGrain> logger) : Grain, IWorldModelGrain
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly List<WebTransition> _transitions = [];
    private readonly Lock _gate = new();
    private WebWorldModel? _model;
    private Task? _run;
    private volatile WorldModelStatus _status = new(false, 0, 0, double.NaN, null);

    public Task<WorldModelStatus> TrainAsync(WorldModelTrainRequest request)
    {
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException("the world model is training; add transitions when the run is done");
        }

        var added = JsonSerializer.Deserialize<List<WebTransition>>(request.TransitionsJson, Json) ?? [];
        _transitions.AddRange(added);
        var snapshot = _transitions.ToList();
        _status = _status with { Training = true, Transitions = snapshot.Count, Error = null };
        TorchRuntime.Initialize("cpu", options.Value.TorchThreads, logger);
        _run = Task.Factory.StartNew(() =>
        {
            try
            {
                TorchRuntime.ApplyThreads();
                lock (_gate)
                {
                    TorchSharp.torch.manual_seed(request.Seed);
                    _model ??= new WebWorldModel();
                    var loss = _model.Train(snapshot, request.Steps, request.BatchSize, request.LearningRate, request.Seed);
                    _status = new WorldModelStatus(false, snapshot.Count, _status.RunsFinished + 1, loss, null);
                }
            }
            catch (Exception e)
            {
                _status = _status with { Training = false, Error = e.Message };
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.FromResult(_status);
    }

    public Task<WorldModelStatus> GetStatusAsync() => Task.FromResult(_status);

    public async Task<WorldModelForecast> PredictAsync(string observationJson, string action)
    {
        var observation = JsonSerializer.Deserialize<WebObservation>(observationJson, Json)
            ?? throw new ArgumentException("the observation JSON is empty", nameof(observationJson));
        return await TorchRuntime.RunAsync(() =>
        {
            lock (_gate)
            {
                if (_model is null)
                {
                    throw new InvalidOperationException("the world model has not been trained yet");
                }

                var candidate = WebFeatures.Candidates(observation, []).FirstOrDefault(c => c.Action.ToString() == action)
                    ?? throw new ArgumentException($"'{action}' is not a candidate action in this observation", nameof(action));
                var p = _model.Predict(observation, candidate);
                return new WorldModelForecast(p.UrlChange, p.Done, p.Reward, p.Value,
                    [.. p.Elements.Where(e => e.Value == ElementChange.Removed).Select(e => e.Key)],
                    [.. p.Elements.Where(e => e.Value == ElementChange.Changed).Select(e => e.Key)]);
            }
        }).ConfigureAwait(true);
    }
}
