namespace Dggrn.Model.Volumes;

/// <summary>Reads MINC2 (HDF5) volumes as BrainWeb distributes them.</summary>
public static class MincReader
{
    /// <summary>Loads the volume at <paramref name="path"/>.</summary>
    public static Volume Read(string path) =>
        throw new VolumeFormatException($"{path}: format: MINC2 reading is not implemented yet");
}
