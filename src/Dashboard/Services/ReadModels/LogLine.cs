namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>One line of a trial's log tail, with the attempt that wrote it.</summary>
public sealed record LogLine(DateTimeOffset At, int Attempt, string Line);
