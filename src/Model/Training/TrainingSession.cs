using System.Diagnostics;
using Dggrn.Model.Metrics;
using Dggrn.Model.Models;
using Dggrn.Model.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Dggrn.Model.Training;

/// <summary>The state of one trainable run: network, optimiser, sampler and loop position.</summary>
sealed class TrainingSession : IDisposable
{
    readonly TrainingJob job;
    readonly TrainerOptions o;
    readonly PatchSampler sampler;
    readonly IReadOnlyList<SlicePair> test;
    readonly ITrainingCallbacks cb;
    readonly Device device;
    readonly SrNetwork net;
    readonly TorchSharp.Modules.Adam adam;
    readonly string volumeName;
    CheckpointHeader pos;

    public TrainingSession(TrainingJob job, PatchSampler sampler, IReadOnlyList<SlicePair> test, ITrainingCallbacks cb)
    {
        this.job = job; o = job.Options; this.sampler = sampler; this.test = test; this.cb = cb;
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        device = Trainer.ResolveDevice(o.Device);
        if (job.Numerics is { Path: { } checkedPath }) Numerics.ConvKernels.Use(checkedPath);
        else if (NumericsGuard.Ensure(job, device) is { } numerics)
        {
            cb.OnNumerics(numerics);
            cb.OnLog(numerics.Summary);
        }
        volumeName = string.Join(",", job.TestSources.Select(Volumes.VolumeLoader.DisplayName));
        torch.random.manual_seed(job.Seed);
        net = ModelRegistry.Create(job.Method, job.Blocks, job.Filters, job.Scale);
        net.to(device);
        adam = torch.optim.Adam(net.parameters(), o.LearningRate, 0.9, 0.999);
        pos = new CheckpointHeader
        {
            Method = job.Method, Blocks = job.Blocks, Filters = job.Filters, Scale = job.Scale, Seed = job.Seed, Options = o,
            TrainSources = job.TrainSources.ToArray(), TestSources = job.TestSources.ToArray(),
        };
        if (job.Resume is not null)
        {
            var h = CheckpointCodec.ReadHeader(job.Resume, "resume checkpoint");
            if (h.Method != job.Method || h.Blocks != job.Blocks || h.Filters != job.Filters || h.Scale != job.Scale)
                throw new ArgumentException($"resume checkpoint: configuration: expected {job.Method} N={job.Blocks} K={job.Filters} x{job.Scale} (the job), found {h.Method} N={h.Blocks} K={h.Filters} x{h.Scale}");
            CheckpointCodec.Restore(job.Resume, net, adam, "resume checkpoint");
            pos = pos with
            {
                Epoch = h.Epoch, StepInEpoch = h.StepInEpoch, GlobalStep = h.GlobalStep, LossSum = h.LossSum, LossCount = h.LossCount,
                EpochSeconds = h.EpochSeconds, BestPsnr = h.BestPsnr, EpochsSinceBest = h.EpochsSinceBest, LastTrainLoss = h.LastTrainLoss, EarlyStopped = h.EarlyStopped,
            };
            cb.OnLog($"resumed at epoch {pos.Epoch}, step {pos.StepInEpoch} of the epoch, global step {pos.GlobalStep}");
        }
    }

    public TrainingResult Run(Stopwatch clock, CancellationToken ct)
    {
        cb.OnLog($"{job.Method} N={job.Blocks} K={job.Filters} x{job.Scale}: {net.ParameterCount} parameters, {sampler.Count} patches, device {device}");
        int steps = o.StepsPerEpoch ?? Math.Max(1, sampler.Count / o.BatchSize);
        int p = o.PatchSize, hp = p * job.Scale, b = o.BatchSize;
        var lrBuf = new float[b * p * p];
        var hrBuf = new float[b * hp * hp];
        Evaluation? last = null;
        while (!pos.EarlyStopped && pos.Epoch <= o.Epochs)
        {
            int epoch = pos.Epoch;
            double lr = Trainer.LearningRateAt(o, epoch);
            foreach (var g in adam.ParamGroups) g.LearningRate = lr;
            var order = sampler.Order(epoch);
            var epochClock = Stopwatch.StartNew();
            net.train();
            for (int step = pos.StepInEpoch; step < steps; step++)
            {
                if (ct.IsCancellationRequested)
                {
                    pos = pos with { StepInEpoch = step, EpochSeconds = pos.EpochSeconds + epochClock.Elapsed.TotalSeconds };
                    cb.OnCheckpoint(new CheckpointBlob(epoch, pos.GlobalStep, CheckpointCodec.Write(pos, net, adam), null, false));
                    ct.ThrowIfCancellationRequested();
                }
                sampler.Fill(order, epoch, step, b, lrBuf, hrBuf);
                double loss = Step(lrBuf, hrBuf, b, p, hp, epoch, pos.GlobalStep + 1);
                pos = pos with { StepInEpoch = step + 1, GlobalStep = pos.GlobalStep + 1, LossSum = pos.LossSum + loss, LossCount = pos.LossCount + 1 };
                if (o.LogEverySteps > 0 && pos.GlobalStep % o.LogEverySteps == 0) cb.OnTrainLoss(epoch, pos.GlobalStep, loss);
            }
            double seconds = pos.EpochSeconds + epochClock.Elapsed.TotalSeconds;
            double epochLoss = pos.LossCount > 0 ? pos.LossSum / pos.LossCount : 0;
            last = Evaluate();
            // A network that produces NaN has diverged even when the last loss looked finite (an infinite gradient): stop before
            // this epoch's checkpoint, so the newest checkpoint stays the last good one.
            if (double.IsNaN(last.Overall.Psnr) || double.IsNaN(last.Overall.Ssim))
                throw new TrainingDivergedException(epoch, pos.GlobalStep, double.IsNaN(last.Overall.Psnr) ? "test PSNR" : "test SSIM", double.NaN);
            cb.OnEpoch(new EpochReport(epoch, pos.GlobalStep, epochLoss, lr, seconds, last));
            if (o.ExampleSlices > 0) cb.OnExamples(epoch, RenderExamples());
            bool improved = pos.BestPsnr is null || last.Overall.Psnr > pos.BestPsnr.Value;
            int since = improved ? 0 : pos.EpochsSinceBest + 1;
            bool early = epoch < o.Epochs && o.EarlyStopPatience is int patience && since >= patience;
            bool stop = early || epoch == o.Epochs;
            if (early) cb.OnLog($"early stop after epoch {epoch}: no PSNR improvement for {since} epochs");
            pos = pos with
            {
                Epoch = epoch + 1, StepInEpoch = 0, LossSum = 0, LossCount = 0, EpochSeconds = 0, LastTrainLoss = epochLoss,
                BestPsnr = improved ? last.Overall.Psnr : pos.BestPsnr, EpochsSinceBest = since, EarlyStopped = early,
            };
            if (stop || epoch % Math.Max(1, o.CheckpointEvery) == 0)
                cb.OnCheckpoint(new CheckpointBlob(epoch, pos.GlobalStep, CheckpointCodec.Write(pos, net, adam), last.Overall.Psnr, true));
        }
        last ??= Evaluate();
        return new TrainingResult(pos.Epoch - 1, pos.LastTrainLoss, last, net.ParameterCount, clock.Elapsed.TotalSeconds) { FlopsPerLrPixel = net.FlopsPerLrPixel };
    }

    /// <summary>One optimiser step; every tensor it makes is disposed before it returns, and a GC per step keeps native memory flat.</summary>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite; thrown before the step changes any weight.</exception>
    double Step(float[] lrBuf, float[] hrBuf, int b, int p, int hp, int epoch, long globalStep)
    {
        double loss;
        using (var scope = NewDisposeScope())
        {
            var x = tensor(lrBuf, [b, 1, p, p]).to(device);
            var y = tensor(hrBuf, [b, 1, hp, hp]).to(device);
            adam.zero_grad();
            var l = nn.functional.mse_loss(net.forward(x), y);
            loss = l.item<float>();
            if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, globalStep, "loss", loss);
            l.backward();
            adam.step();
        }
        GC.Collect();
        return loss;
    }

    Evaluation Evaluate()
    {
        net.eval();
        var e = Evaluator.Evaluate(job.Method, volumeName, job.Scale, o.Protocol, test, s => NetworkResolver.Resolve(net, device, s));
        net.train();
        return e;
    }

    List<ExampleImage> RenderExamples()
    {
        net.eval();
        var images = new List<ExampleImage>();
        foreach (var s in Examples.Pick(test, o.ExampleSlices))
        {
            var (sr, gm) = NetworkResolver.ResolveWithGm(net, device, s);
            images.AddRange(Examples.Render(s, job.Scale, sr, gm));
        }
        net.train();
        return images;
    }

    public void Dispose()
    {
        adam.Dispose();
        net.Dispose();
    }
}
