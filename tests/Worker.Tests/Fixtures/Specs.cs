namespace Dggrn.Worker.Tests.Fixtures;

/// <summary>Grid documents for the worker tests: one small DGGRN trial on synthetic phantoms (CPU, seconds per epoch).</summary>
public static class Specs
{
    public static string OneDggrn(string name, int epochs = 3, int stepsPerEpoch = 12, int filters = 8, int batch = 8, int seed = 0, string training = "", int blocks = 1) => $$"""
        name: {{name}}
        datasets:
          - name: Phantom
            train: ["phantom:seed=1,grid=32x32x32"]
            test: ["phantom:seed=2,grid=32x32x32"]
        training: { epochs: {{epochs}}, stepsPerEpoch: {{stepsPerEpoch}}, batchSize: {{batch}}, logEverySteps: 1, keepBest: 1{{(training == "" ? "" : ", " + training)}} }
        grid:
          - tables: ["1"]
            methods: [dggrn]
            blocks: [{{blocks}}]
            filters: [{{filters}}]
            scale: [2]
            seed: [{{seed}}]
        """;
}
