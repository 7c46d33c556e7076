namespace Dggrn.Model;

/// <summary>Reports which torch device the process can use.</summary>
public static class TorchProbe
{
    /// <summary>"cuda" when a CUDA device is usable, else "cpu".</summary>
    public static string DefaultDevice() => TorchSharp.torch.cuda.is_available() ? "cuda" : "cpu";
}
