import ArgumentParser

/// Benchmarks that print figures beside a reference measured in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dl1-bench", abstract: "DL1 benchmarks.",
                                                    subcommands: [AllBenchmarks.self, VerifyBenchmark.self, VerifyProcessBenchmark.self, ProcessBenchmark.self, IssuanceBenchmark.self, SignPartsBenchmark.self, ScaleBenchmark.self, ScaleWorker.self, LargeStatusListBenchmark.self,
                                                                  CodeSizeBenchmark.self, StatusListBenchmark.self, SigningBenchmark.self, ImageReaderBenchmark.self, RefreshLoadBenchmark.self])
}

Bench.main()
