using Dggrn.Model.Metrics;
using Dggrn.Model.Training;
using Dggrn.Model.Volumes;
using Dggrn.Tests.Common;
using Xunit;

namespace Dggrn.Model.Tests;

[Trait("Category", "RealData")]
public sealed class RealDataTests
{
    [Theory]
    // Grid, voxel size and type as listed in ../shared/data/mri/README.md.
    [InlineData("niivue_register_T2w.nii.gz", "nifti", 224, 224, 60, 1.0, 2.0, "int16")]
    [InlineData("spm12_avg152T2.nii", "nifti", 91, 109, 91, 2.0, 2.0, "uint8")]
    [InlineData("IXI012-HH-1211_T1_2mm.nii.gz", "nifti", 120, 120, 90, 2.0, 2.0, "uint8")]
    [InlineData("ants_ch2_colin27_T1.nii.gz", "nifti", 181, 217, 181, 1.0, 1.0, "float32")]
    [InlineData("i2nii_epi.nhdr", "nrrd", 64, 64, 37, 3.4375, 3.8, "int16")]
    public void ReadersMatchTheDocumentedGrids(string file, string format, int nx, int ny, int nz, double vx, double vz, string type)
    {
        var v = VolumeLoader.Load(TestEnvironment.MriFile(file));
        Assert.Equal((format, nx, ny, nz, type), (v.Format, v.Nx, v.Ny, v.Nz, v.DataType));
        Assert.Equal(vx, v.VoxelSize[0], 3);
        Assert.Equal(vz, v.VoxelSize[2], 3);
        Assert.True(v.Data.Max() > v.Data.Min());
    }

    [Fact]
    public void SpmTemplateAppliesSclSlope()
    {
        // avg152T2 stores uint8 0..255 with scl_slope 1/255, so the real values span [0, 1] (to float32 precision).
        var v = VolumeLoader.Load(TestEnvironment.MriFile("spm12_avg152T2.nii"));
        Assert.Equal(0, v.Data.Min());
        Assert.Equal(1, v.Data.Max(), 6);
    }

    // Reference numbers: an independent pure-Python implementation of dggrn-v1 (own NIfTI parser, direct 3x3 blur,
    // transcription of MATLAB imresize's contributions(), separable 11x11 SSIM), run once on these files.
    [Theory]
    [InlineData("spm12_avg152T2.nii", 2, new[] { 0, 1, 2 }, 291, 30.830340, 0.926219)]
    [InlineData("IXI012-HH-1211_T1_2mm.nii.gz", 4, new[] { 0 }, 104, 20.702026, 0.529509)]
    [InlineData("niivue_register_T2w.nii.gz", 3, new[] { 2 }, 60, 25.476627, 0.828144)]
    public void BicubicBaselineMatchesTheIndependentImplementation(string file, int scale, int[] axes, int slices, double psnr, double ssim)
    {
        var path = TestEnvironment.MriFile(file);
        var pairs = Trainer.LoadSlices([path], scale, axes);
        var e = Evaluator.Evaluate("bicubic", file, scale, "dggrn-v1", pairs, s => Evaluator.BicubicResolver(s, scale));
        Assert.Equal(slices, e.Overall.Slices);
        Assert.InRange(e.Overall.Psnr - psnr, -1e-4, 1e-4); // the protocol allows 0.01 dB; the references print 6 decimals
        Assert.InRange(e.Overall.Ssim - ssim, -1e-5, 1e-5); // the protocol allows 0.001
    }

    [Fact]
    public void SpmTemplatePerAxisBicubicValues()
    {
        // Same independent run, per axis: axis 0 91 slices 31.725871 / 0.928916; axis 1 109 slices 30.318694 / 0.926540;
        // axis 2 91 slices 30.547659 / 0.923139.
        var path = TestEnvironment.MriFile("spm12_avg152T2.nii");
        var e = Evaluator.Evaluate("bicubic", "spm", 2, "dggrn-v1", Trainer.LoadSlices([path], 2, [0, 1, 2]), s => Evaluator.BicubicResolver(s, 2));
        (int Slices, double Psnr, double Ssim)[] expected = [(91, 31.725871, 0.928916), (109, 30.318694, 0.926540), (91, 30.547659, 0.923139)];
        for (int a = 0; a < 3; a++)
        {
            Assert.Equal(expected[a].Slices, e.Axes[a].Slices);
            Assert.InRange(e.Axes[a].Psnr - expected[a].Psnr, -1e-4, 1e-4);
            Assert.InRange(e.Axes[a].Ssim - expected[a].Ssim, -1e-5, 1e-5);
            Assert.Equal(expected[a].Slices, e.Axes[a].PerSlicePsnr.Length);
        }
    }

    [Fact]
    public void TrainsOnOneRealVolumeAndEvaluatesOnAnother()
    {
        // Split by subject: train on the SPM template, test on the niivue subject; scale 3 exercises modcrop on odd sizes.
        var job = new TrainingJob
        {
            Method = "dggrn", Blocks = 2, Filters = 8, Scale = 3, Seed = 2,
            TrainSources = [TestEnvironment.MriFile("spm12_avg152T2.nii")],
            TestSources = [TestEnvironment.MriFile("niivue_register_T2w.nii.gz")],
            Options = new TrainerOptions { Epochs = 1, StepsPerEpoch = 2, BatchSize = 8, Threads = 1, TestAxes = [2], ExampleSlices = 1 },
        };
        var cb = new RecordingCallbacks();
        var r = Trainer.Run(job, cb, CancellationToken.None);
        Assert.Equal(60, r.Test.Overall.Slices); // the same 60 kept axis-2 slices as the bicubic check above
        Assert.InRange(r.Test.Overall.Psnr, 5, 40);
        Assert.Contains(cb.Images, i => i.Kind == "sr" && i.Axis == 2);
    }
}
